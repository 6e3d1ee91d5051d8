"""strom.client: drive an embedded Strom partition from Python.

``Client`` sends Zeebe's commands (deploy, create instances, activate/complete/fail jobs, set
variables, resolve incidents, cancel) and returns the answering records, raising ``ClientError``
on a rejection. ``JobWorker`` takes jobs of one type as they are created (job streaming).
"""

from strom.client._client import ActivatedJob, Client
from strom.client._errors import ClientError
from strom.client._worker import JobWorker

__all__ = ["ActivatedJob", "Client", "ClientError", "JobWorker"]

for _name in __all__:
    globals()[_name].__module__ = __name__
