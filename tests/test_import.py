import subprocess
import sys


def test_import_is_light():
    """`import analysis` must not pull in the heavy libraries (the runner imports it often)."""
    code = ("import sys, analysis; heavy = [m for m in ('geopandas', 'folium', 'matplotlib', "
            "'pandera', 'papermill', 'nbconvert', 'shapely') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_python_m_analysis_help():
    out = subprocess.run([sys.executable, "-m", "analysis", "--help"], capture_output=True,
                         text=True)
    assert out.returncode == 0
    for command in ("build", "check", "run"):
        assert command in out.stdout
