package io.connectors.functional.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FigureTest {

    @Test
    void aRatioAboveItsFloorPassesWithItsMargin() {
        Figure f = Figure.target("r", "Ratio", 0.95, "0.95", Figure.Goal.AT_LEAST, 0.9);

        assertThat(f.verdict()).isEqualTo(Figure.Verdict.PASS);
        assertThat(f.targetText()).isEqualTo("≥ 0.90");
        assertThat(f.verdictText()).isEqualTo("PASS (0.050 above)");
    }

    @Test
    void aRatioBelowItsFloorMissesBySoMuch() {
        Figure f = Figure.target("r", "Ratio", 0.72, "0.72", Figure.Goal.AT_LEAST, 0.9);

        assertThat(f.verdict()).isEqualTo(Figure.Verdict.MISS);
        assertThat(f.verdictText()).isEqualTo("MISS by 0.18 (20% below the target)");
        assertThat(f.toJson()).containsEntry("verdict", "MISS").containsKey("missed_by");
    }

    @Test
    void aFractionOverItsCeilingMisses() {
        Figure f = Figure.target("f", "Fraction", 0.13, "0.13", Figure.Goal.AT_MOST, 0.1);

        assertThat(f.verdictText()).isEqualTo("MISS by 0.030 (30% over the target)");
        assertThat(Figure.target("f", "Fraction", 0.1, "0.1", Figure.Goal.AT_MOST, 0.1).verdictText())
                .isEqualTo("PASS (exactly on target)");
        assertThat(Figure.target("f", "Fraction", 0.04, "", Figure.Goal.AT_MOST, 0.1).verdictText())
                .isEqualTo("PASS (0.060 under)");
    }

    @Test
    void aFigureNotMeasuredSaysWhy() {
        Figure f = Figure.absent("i", "Incremental", "n/a (source has no incremental sync)", Figure.Goal.AT_MOST, 0.05, "n/a");

        assertThat(f.verdict()).isEqualTo(Figure.Verdict.ABSENT);
        assertThat(f.verdictText()).isEqualTo("n/a");
        assertThat(f.targetText()).isEqualTo("≤ 0.050");
        assertThat(f.toJson()).containsEntry("verdict", "n/a").containsEntry("value", null);
    }

    @Test
    void aFigureWithoutTargetHasNoVerdict() {
        Figure f = Figure.info("c", "Ceiling", 12345.6, Figure.rate(12345.6));

        assertThat(f.display()).isEqualTo("12,346 docs/s");
        assertThat(f.targetText()).isEqualTo("—");
        assertThat(f.verdictText()).isEqualTo("—");
        assertThat(f.toJson()).doesNotContainKey("target");
    }

    @Test
    void numbersKeepTheirSignificantDigits() {
        assertThat(Figure.number(0.0123)).isEqualTo("0.012");
        assertThat(Figure.number(0.5)).isEqualTo("0.50");
        assertThat(Figure.number(1.2)).isEqualTo("1.20");
        assertThat(Figure.number(15234.2)).isEqualTo("15,234");
        assertThat(Figure.number(0)).isEqualTo("0.00");
    }
}
