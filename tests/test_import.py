import subprocess
import sys


def test_import_is_light():
    """`import analysis` must not pull in the heavy libraries (the runner imports it often)."""
    code = ("import sys, analysis; heavy = [m for m in ('geopandas', 'folium', 'matplotlib', "
            "'pandera', 'papermill', 'nbconvert', 'shapely') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_tab_completion_offers_what_an_analyst_uses():
    """dir(analysis) listed `annotations` and `importlib`, this module's own imports."""
    code = "import analysis; print(' '.join(dir(analysis)))"
    names = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split()
    assert {"load_figures", "claims", "copies_that_differ", "estimate", "maps", "trends",
            "views", "__version__"} <= set(names)
    assert not {"annotations", "importlib", "__main__"} & set(names)


def test_python_m_analysis_help():
    out = subprocess.run([sys.executable, "-m", "analysis", "--help"], capture_output=True,
                         text=True)
    assert out.returncode == 0
    for command in ("build", "check", "run"):
        assert command in out.stdout
