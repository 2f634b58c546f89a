"""The language of a page from its frequent words."""

from __future__ import annotations

import pytest

from textlens.layout.language import guess_language

SAMPLES = {
    "en": "The results of the first experiment are shown in the table below, and they agree with the model.",
    "fr": "Les résultats de la première expérience sont présentés dans le tableau ci-dessous et ils sont bons.",
    "de": "Die Ergebnisse des ersten Versuchs sind in der Tabelle unten dargestellt und stimmen mit dem Modell.",
    "es": "Los resultados del primer experimento se muestran en la tabla de abajo y están de acuerdo con el modelo.",
    "sv": "Resultaten av det första experimentet visas i tabellen nedan och de stämmer med modellen som vi har.",
    "nl": "De resultaten van het eerste experiment staan in de tabel hieronder en ze zijn in lijn met het model.",
    "ru": "Результаты первого опыта приведены в таблице ниже, и они согласуются с моделью, которую мы это знаем.",
    "uk": "Результати першого досліду наведено в таблиці нижче, і вони також узгоджуються з моделлю, що ми маємо.",
    "bg": "Резултатите от първия опит са дадени в таблицата по-долу и те са в съгласие с модела, който имаме.",
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_a_paragraph_names_its_language(language: str) -> None:
    assert guess_language(SAMPLES[language]) == language


def test_too_little_text_or_no_words_says_nothing() -> None:
    assert guess_language("") is None
    assert guess_language("TOTAL 13.80") is None
    assert guess_language("12/05/2026 08:13 RM 45.00") is None


def test_pages_in_arabic_or_greek_letters_are_named_by_their_script() -> None:
    assert guess_language("وأرسل رسول الله معهم المغيرة بن شعبة وأبا سفيان") == "ar"
    assert guess_language("ἀλλʼ οὐ τὸ τῶν θεῶν ἔργον ἐστὶν ὁ λόγος") == "grc"
    assert guess_language("η Ελλάδα είναι μια χώρα της Ευρώπης") == "el"
    # A commentary quoting a little Greek is still named by its prose.
    assert guess_language("Die Worte τὸ ἔργον sind hier nicht mit der Erklärung des Scholiasten zu verbinden") == "de"
