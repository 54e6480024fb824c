from rightsloop.core import rights


def test_codes_are_unique_and_stable():
    codes = [right.code for right in rights.TAXONOMY]
    assert len(codes) == len(set(codes))
    expected = {"privacy", "freedom_of_expression", "non_discrimination", "security_of_person", "child_rights"}
    assert expected <= set(codes)
    assert all(code == code.lower() and " " not in code for code in codes)


def test_every_right_cites_a_source():
    assert all(right.sources for right in rights.TAXONOMY)


def test_lookup():
    assert rights.is_known("privacy")
    assert not rights.is_known("made_up")
    assert str(rights.name("privacy")).startswith("Privacy")


def test_groupings_name_only_known_rights():
    codes = [grouping.code for grouping in rights.GROUPINGS]
    assert len(codes) == len(set(codes))
    assert {"privacy", "expression", "non_discrimination", "security", "child_rights"} <= set(codes)
    assert all(rights.is_known(code) for grouping in rights.GROUPINGS for code in grouping.rights)
    assert "expression" in rights.groupings_of("freedom_of_assembly")
