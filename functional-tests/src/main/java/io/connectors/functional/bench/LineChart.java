package io.connectors.functional.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A line chart drawn with Java2D and written as PNG: a title, labelled axes with round-number ticks from zero, one
 * or more series, and labelled horizontal reference lines (the ceilings, a target). Nothing beyond the JDK, so
 * the benchmark adds no dependency. Runs headless.
 */
final class LineChart {
    static final Color BLUE = new Color(0x1f77b4);
    static final Color ORANGE = new Color(0xff7f0e);
    static final Color GREEN = new Color(0x2ca02c);
    static final Color RED = new Color(0xd62728);
    static final Color PURPLE = new Color(0x9467bd);
    static final Color GREY = new Color(0x7f7f7f);

    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final int width;
    private final int height;
    private final List<Series> series = new ArrayList<>();
    private final List<Reference> references = new ArrayList<>();
    private String caption;

    /** A point in data units. */
    record Point(double x, double y) {
    }

    /** A line through {@code points}, in the order given. */
    record Series(String name, Color color, List<Point> points) {
    }

    /** A horizontal line across the plot at {@code y}, labelled at its right end. */
    record Reference(String label, double y, Color color) {
    }

    LineChart(String title, String xLabel, String yLabel, int width, int height) {
        if (width < LEFT + RIGHT + 100 || height < TOP + BOTTOM + 100) {
            throw new IllegalArgumentException("a chart needs at least " + (LEFT + RIGHT + 100) + "x"
                    + (TOP + BOTTOM + 100) + " pixels");
        }
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.width = width;
        this.height = height;
    }

    LineChart series(String name, Color color, List<Point> points) {
        series.add(new Series(name, color, List.copyOf(points)));
        return this;
    }

    LineChart reference(String label, double y, Color color) {
        references.add(new Reference(label, y, color));
        return this;
    }

    /** A line of smaller text under the title (what the chart leaves out, the conditions). */
    LineChart caption(String text) {
        this.caption = text;
        return this;
    }

    void write(Path png) throws IOException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        if (!ImageIO.write(render(), "png", png.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    BufferedImage render() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            draw(g);
        } finally {
            g.dispose();
        }
        return image;
    }

    private void draw(Graphics2D g) {
        double maxX = 0;
        double maxY = 0;
        for (Series s : series) {
            for (Point p : s.points()) {
                maxX = Math.max(maxX, p.x());
                maxY = Math.max(maxY, p.y());
            }
        }
        for (Reference r : references) {
            maxY = Math.max(maxY, r.y());
        }
        double xStep = niceStep(maxX > 0 ? maxX : 1, 10);
        double yStep = niceStep(maxY > 0 ? maxY * 1.05 : 1, 8);
        double xMax = Math.max(xStep, Math.ceil(maxX / xStep) * xStep);
        double yMax = Math.max(yStep, Math.ceil(maxY * 1.05 / yStep) * yStep);
        int plotW = width - LEFT - RIGHT;
        int plotH = height - TOP - BOTTOM;
        Scale sx = v -> LEFT + v / xMax * plotW;
        Scale sy = v -> TOP + plotH - v / yMax * plotH;

        Font base = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        g.setFont(base.deriveFont(Font.BOLD, 17f));
        g.setColor(Color.BLACK);
        FontMetrics tm = g.getFontMetrics();
        g.drawString(title, (width - tm.stringWidth(title)) / 2, 26);
        if (caption != null) {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.DARK_GRAY);
            FontMetrics cm = g.getFontMetrics();
            g.drawString(caption, (width - cm.stringWidth(caption)) / 2, 46);
        }

        // Grid and ticks.
        g.setFont(base);
        FontMetrics fm = g.getFontMetrics();
        for (double y = 0; y <= yMax + yStep / 2; y += yStep) {
            int py = (int) Math.round(sy.at(y));
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(LEFT, py, LEFT + plotW, py);
            g.setColor(Color.DARK_GRAY);
            String label = tick(y, yStep);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), py + fm.getAscent() / 2 - 1);
        }
        for (double x = 0; x <= xMax + xStep / 2; x += xStep) {
            int px = (int) Math.round(sx.at(x));
            g.setColor(new Color(0xf0f0f0));
            g.drawLine(px, TOP, px, TOP + plotH);
            g.setColor(Color.DARK_GRAY);
            String label = tick(x, xStep);
            g.drawString(label, px - fm.stringWidth(label) / 2, TOP + plotH + fm.getAscent() + 6);
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.2f));
        g.drawLine(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH);
        g.drawLine(LEFT, TOP, LEFT, TOP + plotH);

        // Axis labels.
        g.setFont(base.deriveFont(Font.BOLD, 14f));
        FontMetrics lm = g.getFontMetrics();
        g.drawString(xLabel, LEFT + (plotW - lm.stringWidth(xLabel)) / 2, height - 22);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(TOP + (plotH + lm.stringWidth(yLabel)) / 2), 24);
        g.setTransform(saved);

        // Reference lines, dashed, labelled above their right end.
        g.setFont(base.deriveFont(12f));
        FontMetrics rm = g.getFontMetrics();
        for (Reference r : references) {
            int py = (int) Math.round(sy.at(r.y()));
            g.setColor(r.color());
            g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f));
            g.drawLine(LEFT, py, LEFT + plotW, py);
            g.drawString(r.label(), LEFT + plotW - 6 - rm.stringWidth(r.label()), py - 4);
        }

        // Series.
        g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (Series s : series) {
            if (s.points().isEmpty()) {
                continue;
            }
            g.setColor(s.color());
            Path2D.Double line = new Path2D.Double();
            Point first = s.points().get(0);
            line.moveTo(sx.at(first.x()), sy.at(first.y()));
            for (Point p : s.points().subList(1, s.points().size())) {
                line.lineTo(sx.at(p.x()), sy.at(p.y()));
            }
            g.draw(line);
            if (s.points().size() == 1) {
                g.fillOval((int) sx.at(first.x()) - 3, (int) sy.at(first.y()) - 3, 6, 6);
            }
        }

        // Legend, top left inside the plot.
        g.setFont(base);
        int ly = TOP + 18;
        for (Series s : series) {
            g.setColor(s.color());
            g.fillRect(LEFT + 12, ly - 9, 18, 4);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), LEFT + 36, ly - 2);
            ly += 18;
        }
    }

    @FunctionalInterface
    private interface Scale {
        double at(double value);
    }

    /** A step of 1, 2 or 5 times a power of ten giving at most {@code maxTicks} ticks up to {@code max}. */
    static double niceStep(double max, int maxTicks) {
        double raw = max / maxTicks;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= raw) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String tick(double v, double step) {
        if (step >= 1 && Math.abs(v - Math.rint(v)) < 1e-9) {
            return String.format(Locale.ROOT, "%,d", Math.round(v));
        }
        return String.format(Locale.ROOT, step >= 0.1 ? "%.1f" : "%.2f", v);
    }
}
