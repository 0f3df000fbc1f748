package io.connectors.functional.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineChartTest {

    @TempDir
    Path tmp;

    @Test
    void writesAPngOfTheRequestedSizeWithTheLinesDrawn() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path png = tmp.resolve("out/chart.png");
        new LineChart("title", "seconds", "docs/s", 800, 400)
                .series("read", LineChart.BLUE, List.of(new LineChart.Point(0, 0), new LineChart.Point(10, 5000),
                        new LineChart.Point(20, 5200)))
                .reference("ceiling", 8000, LineChart.RED)
                .write(png);

        assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(800);
        assertThat(image.getHeight()).isEqualTo(400);
        assertThat(countPixels(image, LineChart.BLUE.getRGB())).isGreaterThan(100);
        assertThat(countPixels(image, LineChart.RED.getRGB())).isGreaterThan(100);
    }

    @Test
    void anEmptyChartStillRenders() {
        BufferedImage image = new LineChart("nothing yet", "x", "y", 400, 300).series("none", LineChart.BLUE, List.of())
                .render();

        assertThat(image.getWidth()).isEqualTo(400);
    }

    @Test
    void aTooSmallChartIsRefused() {
        assertThatThrownBy(() -> new LineChart("t", "x", "y", 100, 100)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ticksAreRoundNumbers() {
        assertThat(LineChart.niceStep(10_000, 8)).isEqualTo(2000);
        assertThat(LineChart.niceStep(73, 10)).isEqualTo(10);
        assertThat(LineChart.niceStep(2, 8)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(LineChart.niceStep(1, 10)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
    }

    private static int countPixels(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == (rgb & 0xffffff)) {
                    n++;
                }
            }
        }
        return n;
    }
}
