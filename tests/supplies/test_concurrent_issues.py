"""Twenty users issue from the same lot at once: no negative stock, every unit accounted for in the ledger.

On PostgreSQL the threads really race (row lock on the balance, conditional decrement). SQLite serialises writers
(IMMEDIATE transactions); its in-memory test database shares one cache between connections, where a waiting writer
fails instead of waiting, so there the threads take turns — the same order of events SQLite enforces on a file."""
import threading

from django.db import connection

from core.errors import Invalid
from supplies import services
from supplies.models import Lot, Movement

from .conftest import balance, ledger_sum, receive


def test_twenty_concurrent_issues_of_the_same_lot_never_go_below_zero(transactional_db, personas, catalogue, stores):
    from django.db import connections

    kit, st = catalogue["rapid_kit"], stores["station_a"]
    receive(personas["commune_a"], st, kit, 15)
    lot = Lot.objects.get(item=kit)
    serial = threading.Lock() if connection.vendor == "sqlite" else None
    start = threading.Barrier(20)
    done, refused, errors = [], [], []

    def one(i):
        try:
            start.wait()
            if serial:
                serial.acquire()
            try:
                services.issue(by=personas["commune_a"], store=st, lot=lot, quantity=1, reason=f"user {i}")
                done.append(i)
            except Invalid:
                refused.append(i)
            finally:
                if serial:
                    serial.release()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(done) == 15 and len(refused) == 5
    assert balance(st, kit) == 0 == ledger_sum(st, kit)
    assert Movement.objects.filter(kind="issue").count() == 15
