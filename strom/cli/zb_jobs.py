"""zbctl-style job commands: ``strom activate jobs``, ``strom complete job``, ``strom fail job``,
``strom throw error``, ``strom update retries``, ``strom update timeout``."""

from __future__ import annotations

import click

from strom.cli._gateway import (
    address_option,
    call,
    deadline_option,
    echo_json,
    parse_key,
    to_json,
    variables_option,
    variables_text,
)
from strom.cli.rest_reads import complete_user_task


@click.group("activate")
def activate() -> None:
    """Activate a resource (jobs)."""


@activate.command("jobs")
@click.argument("job_type")
@click.option("--max-jobs-to-activate", type=int, default=1, show_default=True)
@click.option("--timeout", type=int, default=300_000, show_default=True, help="Job lease in milliseconds.")
@click.option("--worker", default="strom-cli", show_default=True, help="Worker name recorded on the jobs.")
@click.option(
    "--request-timeout",
    type=int,
    default=0,
    help="Milliseconds to wait for jobs (long polling); 0: the gateway's default, -1: do not wait.",
)
@click.option("--fetch-variables", default="", help="Comma-separated names of the variables to fetch.")
@address_option
@deadline_option
def activate_jobs(
    job_type: str,
    max_jobs_to_activate: int,
    timeout: int,
    worker: str,
    request_timeout: int,
    fetch_variables: str,
    address: str,
    deadline: float,
) -> None:
    """Activate up to --max-jobs-to-activate jobs of JOB_TYPE and print them."""
    from strom.gateway.grpc._proto import pb

    request = pb.ActivateJobsRequest(
        type=job_type,
        worker=worker,
        timeout=timeout,
        maxJobsToActivate=max_jobs_to_activate,
        requestTimeout=request_timeout,
        fetchVariable=[name.strip() for name in fetch_variables.split(",") if name.strip()],
    )
    if request_timeout >= 0:  # a long poll: say why nothing happens yet
        how_long = (
            f"{request_timeout / 1000:g} s"
            if request_timeout > 0
            else "the gateway's long-polling timeout (10 s by default)"
        )
        click.echo(f"waiting up to {how_long} for jobs of type '{job_type}'…", err=True)
    wait = max(deadline, request_timeout / 1000 + 5)
    answers = call(address, "ActivateJobs", request, wait)
    echo_json({"jobs": [to_json(job) for answer in answers for job in answer.jobs]})


@click.group("complete")
def complete() -> None:
    """Complete a resource (a job, or a Camunda user task over REST)."""


complete.add_command(complete_user_task)


@complete.command("job")
@click.argument("key")
@variables_option
@address_option
@deadline_option
def complete_job(key: str, variables: str, address: str, deadline: float) -> None:
    """Complete the job with KEY, passing --variables to the process."""
    from strom.gateway.grpc._proto import pb

    job_key = parse_key(key, "KEY")
    request = pb.CompleteJobRequest(jobKey=job_key, variables=variables_text(variables))
    call(address, "CompleteJob", request, deadline)  # the answer is empty
    click.echo(f"completed job {job_key}")


@click.group("fail")
def fail() -> None:
    """Fail a resource (a job)."""


@fail.command("job")
@click.argument("key")
@click.option("--retries", type=int, required=True, help="Retries left; 0 raises an incident.")
@click.option("--error-message", default="", help="Why the job failed.")
@click.option("--retry-backoff", type=int, default=0, help="Milliseconds before the job may be retried.")
@variables_option
@address_option
@deadline_option
def fail_job(
    key: str,
    retries: int,
    error_message: str,
    retry_backoff: int,
    variables: str,
    address: str,
    deadline: float,
) -> None:
    """Fail the job with KEY."""
    from strom.gateway.grpc._proto import pb

    request = pb.FailJobRequest(
        jobKey=parse_key(key, "KEY"),
        retries=retries,
        errorMessage=error_message,
        retryBackOff=retry_backoff,
        variables=variables_text(variables),
    )
    echo_json(call(address, "FailJob", request, deadline))


@click.group("throw")
def throw() -> None:
    """Throw a resource (a BPMN error)."""


@throw.command("error")
@click.argument("key")
@click.option("--error-code", required=True, help="The code a BPMN error catch event waits for.")
@click.option("--error-message", default="")
@variables_option
@address_option
@deadline_option
def throw_error(
    key: str, error_code: str, error_message: str, variables: str, address: str, deadline: float
) -> None:
    """Throw a BPMN error from the job with KEY."""
    from strom.gateway.grpc._proto import pb

    request = pb.ThrowErrorRequest(
        jobKey=parse_key(key, "KEY"),
        errorCode=error_code,
        errorMessage=error_message,
        variables=variables_text(variables),
    )
    echo_json(call(address, "ThrowError", request, deadline))


@click.group("update")
def update() -> None:
    """Update a resource (a job's retries or timeout)."""


@update.command("retries")
@click.argument("key")
@click.option("--retries", type=int, required=True)
@address_option
@deadline_option
def update_retries(key: str, retries: int, address: str, deadline: float) -> None:
    """Set the retries of the job with KEY."""
    from strom.gateway.grpc._proto import pb

    request = pb.UpdateJobRetriesRequest(jobKey=parse_key(key, "KEY"), retries=retries)
    echo_json(call(address, "UpdateJobRetries", request, deadline))


@update.command("timeout")
@click.argument("key")
@click.option("--timeout", type=int, required=True, help="New job lease in milliseconds, from now.")
@address_option
@deadline_option
def update_timeout(key: str, timeout: int, address: str, deadline: float) -> None:
    """Set the timeout of the activated job with KEY."""
    from strom.gateway.grpc._proto import pb

    request = pb.UpdateJobTimeoutRequest(jobKey=parse_key(key, "KEY"), timeout=timeout)
    echo_json(call(address, "UpdateJobTimeout", request, deadline))
