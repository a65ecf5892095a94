import time, cProfile, pstats
from pathlib import Path
from django.conf import settings
from organisations.services import load_reference_data
def test_x(db):
    b = Path(settings.SHARED_DATA_DIR)
    pr = cProfile.Profile(); pr.enable()
    t=time.time(); load_reference_data(b/"embeter.csv", b/"kommuner.csv"); print("first", time.time()-t)
    pr.disable()
    t=time.time(); load_reference_data(b/"embeter.csv", b/"kommuner.csv"); print("second", time.time()-t)
    pstats.Stats(pr).sort_stats("cumulative").print_stats(15)
