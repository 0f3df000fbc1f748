package io.connectors.extraction;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The language of a text when the document does not declare one: by script for the languages that have their own
 * (Chinese, Japanese, Korean, Russian, Greek, Arabic, Hebrew, Thai), else by the frequency of each language's most
 * common words in the first {@value #SAMPLE} characters. Answers only when sure: at least {@value #MIN_HITS} common
 * words, and the best language well ahead of the next; {@code null} otherwise (a list of figures, a name, a phrase).
 * Apache Tika's own detectors are not in the registry this project builds from.
 */
final class LanguageGuess {
    static final int SAMPLE = 20_000;
    static final int MIN_HITS = 6;

    private static final Map<String, Set<String>> COMMON = Map.of(
            "en", Set.of("the", "and", "of", "to", "is", "that", "for", "it", "with", "as", "was", "on", "are", "be",
                    "this", "by", "not", "or", "have", "from", "at", "which", "but", "they", "you", "were", "been"),
            "fr", Set.of("le", "la", "les", "des", "et", "est", "un", "une", "du", "que", "qui", "dans", "pour", "pas",
                    "sur", "au", "avec", "ce", "il", "sont", "par", "plus", "ne", "nous", "vous", "été", "aux"),
            "de", Set.of("der", "die", "und", "das", "ist", "nicht", "ein", "eine", "zu", "den", "von", "mit", "sich",
                    "des", "auf", "für", "im", "dem", "auch", "es", "werden", "aus", "er", "sie", "wird", "bei", "sind"),
            "es", Set.of("el", "los", "del", "las", "por", "para", "con", "una", "su", "al", "lo", "como", "más", "pero",
                    "sus", "le", "ya", "muy", "fue", "este", "entre", "cuando", "también", "hay", "está", "son", "y"),
            "it", Set.of("il", "di", "che", "per", "non", "sono", "della", "con", "si", "da", "gli", "ma", "come",
                    "anche", "nel", "alla", "dei", "delle", "questo", "è", "lo", "una", "degli", "sul", "più", "era"),
            "pt", Set.of("o", "do", "da", "em", "um", "para", "com", "não", "uma", "os", "no", "na", "por", "mais",
                    "dos", "como", "mas", "ao", "ele", "das", "à", "seu", "sua", "ou", "quando", "muito", "são"),
            "nl", Set.of("het", "een", "en", "van", "dat", "op", "te", "zijn", "voor", "met", "die", "niet", "aan",
                    "er", "om", "ook", "als", "bij", "door", "maar", "worden", "wordt", "naar", "deze", "wij", "nog"),
            "sv", Set.of("och", "att", "är", "som", "på", "med", "för", "har", "inte", "av", "till", "ett", "var",
                    "men", "jag", "så", "kan", "sig", "ska", "från", "eller", "vid", "när", "hade", "också", "vi"));

    private LanguageGuess() {
    }

    /** An ISO 639-1 code, or {@code null} when the text does not say clearly. */
    static String of(String text) {
        String sample = text.length() > SAMPLE ? text.substring(0, SAMPLE) : text;
        String byScript = byScript(sample);
        if (byScript != null) {
            return byScript;
        }
        Map<String, Integer> hits = new HashMap<>();
        for (String word : sample.toLowerCase(Locale.ROOT).split("[^\\p{L}]+")) {
            if (word.isEmpty()) {
                continue;
            }
            for (Map.Entry<String, Set<String>> language : COMMON.entrySet()) {
                if (language.getValue().contains(word)) {
                    hits.merge(language.getKey(), 1, Integer::sum);
                }
            }
        }
        String best = null;
        int first = 0;
        int second = 0;
        for (Map.Entry<String, Integer> e : hits.entrySet()) {
            if (e.getValue() > first) {
                second = first;
                first = e.getValue();
                best = e.getKey();
            } else if (e.getValue() > second) {
                second = e.getValue();
            }
        }
        return first >= MIN_HITS && first >= second * 3 / 2 + 1 ? best : null;
    }

    /** The language a script says, when most letters are in one that belongs to few languages. */
    private static String byScript(String sample) {
        int letters = 0;
        Map<String, Integer> scripts = new HashMap<>();
        boolean kana = false;
        for (int i = 0; i < sample.length(); ) {
            int c = sample.codePointAt(i);
            i += Character.charCount(c);
            if (!Character.isLetter(c)) {
                continue;
            }
            letters++;
            Character.UnicodeScript script = Character.UnicodeScript.of(c);
            String language = switch (script) {
                case HAN -> "zh";
                case HIRAGANA, KATAKANA -> "ja";
                case HANGUL -> "ko";
                case CYRILLIC -> "ru";
                case GREEK -> "el";
                case ARABIC -> "ar";
                case HEBREW -> "he";
                case THAI -> "th";
                default -> null;
            };
            if (language != null) {
                scripts.merge(language, 1, Integer::sum);
                kana |= language.equals("ja");
            }
        }
        if (letters < 20) {
            return null;
        }
        int cjk = scripts.getOrDefault("zh", 0) + scripts.getOrDefault("ja", 0);
        if (cjk * 2 > letters) {
            // Japanese writes kanji (Han) with kana; Chinese has no kana.
            return kana ? "ja" : "zh";
        }
        for (Map.Entry<String, Integer> e : scripts.entrySet()) {
            if (!e.getKey().equals("zh") && !e.getKey().equals("ja") && e.getValue() * 2 > letters) {
                return e.getKey();
            }
        }
        return null;
    }
}
