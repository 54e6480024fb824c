from django import forms

from rightsloop.core.widgets import FastSelect, FastSelectMultiple


class Sample(forms.Form):
    one = forms.ChoiceField(choices=[("", "—"), ("a", "A & <b>"), ("b", "B")], widget=FastSelect, required=False,
                            help_text="Help")
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y"), ("z", "Z")], widget=FastSelectMultiple)


def test_options_selection_and_escaping():
    html = str(Sample({"one": "a", "many": ["x", "z"]})["one"])
    assert '<option value="a" selected>A &amp; &lt;b&gt;</option>' in html
    assert '<option value="b">B</option>' in html and 'name="one"' in html and 'id="id_one"' in html
    assert 'aria-describedby="id_one_helptext"' in html
    many = str(Sample({"one": "a", "many": ["x", "z"]})["many"])
    assert "multiple" in many and many.count(" selected") == 2 and 'name="many"' in many


def test_errors_are_tied_to_the_field():
    form = Sample({"one": "nope", "many": []})
    assert not form.is_valid()
    html = str(form["one"])
    assert 'aria-invalid="true"' in html and "id_one_error" in html
