"""Marks of the words found, at the edges of an extract."""

from core.fulltext import highlight


def test_a_word_at_the_cut_keeps_its_mark_when_the_next_touching_one_is_cut_off():
    # นัก|วิจัย: two words the segmenter split, touching; the extract ends between them.
    text = "นักวิจัย"
    assert highlight._marked(text, [(0, 3), (3, 8)], 0, 3) == "<mark>นัก</mark>"
    # Both within the range: one mark.
    assert highlight._marked(text, [(0, 3), (3, 8)]) == "<mark>นักวิจัย</mark>"


def test_everything_around_the_marks_is_escaped():
    assert (
        highlight._marked("<b>a & b</b>", [(3, 4)]) == "&lt;b&gt;<mark>a</mark> &amp; b&lt;/b&gt;"
    )
