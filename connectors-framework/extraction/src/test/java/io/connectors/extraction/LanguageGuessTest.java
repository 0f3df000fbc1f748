package io.connectors.extraction;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LanguageGuessTest {

    @Test
    void commonWordsTellTheLanguagesThatShareAScript() {
        assertThat(LanguageGuess.of("The report was sent to the team, and it is clear that the figures for the year"
                + " are better than they were.")).isEqualTo("en");
        assertThat(LanguageGuess.of("Le rapport de l'été dernier a été présenté à l'équipe. Les élèves étaient très"
                + " contents, et le directeur a remercié chacun pour la qualité du travail.")).isEqualTo("fr");
        assertThat(LanguageGuess.of("Der Bericht wurde an das Team geschickt, und es ist klar, dass die Zahlen für"
                + " das Jahr besser sind als die des Vorjahres, auch wenn sie nicht alle Ziele erreichen.")).isEqualTo("de");
        assertThat(LanguageGuess.of("El informe fue enviado al equipo y está claro que las cifras del año son mejores"
                + " que las del anterior, pero no todas las metas se cumplieron para los clientes.")).isEqualTo("es");
        assertThat(LanguageGuess.of("Het rapport is naar het team gestuurd en het is duidelijk dat de cijfers van dit"
                + " jaar beter zijn dan die van vorig jaar, maar niet alle doelen zijn gehaald.")).isEqualTo("nl");
    }

    @Test
    void scriptsTellTheirLanguages() {
        assertThat(LanguageGuess.of("東京は日本の首都であり、世界で最も人口の多い都市圏のひとつです。")).isEqualTo("ja");
        assertThat(LanguageGuess.of("北京是中华人民共和国的首都，也是全国的政治和文化中心城市之一。")).isEqualTo("zh");
        assertThat(LanguageGuess.of("Москва является столицей России и крупнейшим городом страны по численности.")).isEqualTo("ru");
        assertThat(LanguageGuess.of("서울은 대한민국의 수도이며 가장 큰 도시이고 경제와 문화의 중심지입니다.")).isEqualTo("ko");
    }

    @Test
    void noAnswerWhenTheTextDoesNotSay() {
        assertThat(LanguageGuess.of("zephyr t1 docx marigold lantern")).isNull();
        assertThat(LanguageGuess.of("42.5 17 2026-12-05 ID-3391")).isNull();
        assertThat(LanguageGuess.of("")).isNull();
    }
}
