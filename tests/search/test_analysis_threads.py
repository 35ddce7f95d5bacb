"""The analysis gives the same words in every thread of a threaded server process: ICU's
break iterators and Snowball's stemmers hold the text they work on."""

import threading

from core.fulltext import analysis

# Two texts of one language: the threads share whatever the language shares.
TEXTS = [
    "Researchers analysed the observations the lander photographed near the pole. " * 300,
    "Farmers are changing how they manage water to limit the damage of the heat. " * 300,
]


def test_two_threads_analyse_as_one_does():
    expected = [analysis.terms(text, "en") for text in TEXTS]
    wrong = []

    def analyse(number):
        for _ in range(20):
            if analysis.terms(TEXTS[number], "en") != expected[number]:
                wrong.append(number)

    threads = [threading.Thread(target=analyse, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
