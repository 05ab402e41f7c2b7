from generator.pipeline import check


def test_real_evidence_passes_check(real_project):
    kb = check(real_project)
    assert len(kb.records.findings) >= 150


def test_fixture_site_builds_strict(fixture_site):
    assert (fixture_site.site / "kb" / "findings" / "alpha-maternity-change" / "index.html").is_file()
