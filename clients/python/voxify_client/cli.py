"""``voxify``: the command line of the Python SDK.

Sign in once (``voxify login``); the token or API key is kept in the user's configuration
directory (``$VOXIFY_CONFIG``, else ``$XDG_CONFIG_HOME/voxify/config.json``, else
``~/.config/voxify/config.json``), readable by the user only (0600). Every command takes
``--json`` for output a script can parse. Errors print ``error: CODE: message`` on stderr
and exit with a status that tells the kind (see EXIT_CODES).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from voxify_client._sync import Voxify
from voxify_client.errors import (
    AuthenticationError,
    JobFailedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
    VoxifyError,
)

# Exit statuses: 0 done; 2 bad command line (argparse); the others by the error's kind.
EXIT_CODES: list[tuple[type[VoxifyError], int]] = [
    (AuthenticationError, 3),
    (PermissionDeniedError, 3),
    (NotFoundError, 4),
    (RateLimitedError, 5),  # QUOTA_EXCEEDED too
    (ValidationError, 6),
    (JobFailedError, 7),
]
EXIT_API_ERROR = 1
EXIT_NETWORK = 8


def config_path() -> Path:
    if os.environ.get("VOXIFY_CONFIG"):
        return Path(os.environ["VOXIFY_CONFIG"])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "voxify" / "config.json"


def save_config(values: dict[str, Any]) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as fh:
        json.dump(values, fh)
    path.chmod(0o600)  # also when the file was there before with other rights
    return path


def load_config() -> dict[str, Any]:
    path = config_path()
    if not path.exists():
        return {}
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def show(self, value: Any, lines: Callable[[Any], Iterable[str]] | None = None) -> None:
        if self.as_json or lines is None:
            print(json.dumps(value, indent=2, default=str))
        else:
            for line in lines(value):
                print(line)


def progress_bar(update: dict[str, Any]) -> None:
    """``[#########...........]  45% Epoch 3/12`` on stderr, redrawn in place."""
    fraction = float(update.get("progress") or 0.0)
    if update.get("status") == "completed":
        fraction = 1.0
    filled = round(fraction * 30)
    message = update.get("message") or update.get("status") or ""
    end = "\n" if update.get("status") in ("completed", "failed", "cancelled") else ""
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction * 100:3.0f}% {message[:60]:<60}{end}")
    sys.stderr.flush()


def client_from(args: argparse.Namespace) -> Voxify:
    config = load_config()
    url = server_url(args)
    api_key = os.environ.get("VOXIFY_API_KEY") or config.get("api_key")
    if api_key:
        return Voxify(url, api_key=api_key)
    if not config.get("access_token"):
        raise AuthenticationError("Not signed in: run `voxify login` first.", code="NOT_AUTHENTICATED", status=401)
    return Voxify(url, access_token=config["access_token"], refresh_token=config.get("refresh_token"))


def remember_tokens(client: Voxify) -> None:
    """Keep renewed tokens for the next command."""
    creds = client.credentials
    config = load_config()
    if creds.access_token and not creds.api_key and config.get("access_token") != creds.access_token:
        config.update(access_token=creds.access_token, refresh_token=creds.refresh_token)
        save_config(config)


# --- commands -----------------------------------------------------------------------------------


def server_url(args: argparse.Namespace) -> str:
    """--url, else $VOXIFY_URL, else the server of the last login, else the local default."""
    return str(args.url or os.environ.get("VOXIFY_URL") or load_config().get("url") or "http://127.0.0.1:8080")


def cmd_login(args: argparse.Namespace, out: Output) -> None:
    url = server_url(args)
    api_key = args.api_key or os.environ.get("VOXIFY_API_KEY")
    if api_key:
        client = Voxify(url, api_key=api_key)
        me = client.auth.me()
        stored: dict[str, Any] = {"url": url, "api_key": api_key}
    else:
        email = args.email or input("Email: ")
        password = os.environ.get("VOXIFY_PASSWORD") or getpass.getpass("Password: ")
        client = Voxify(url)
        pair = client.auth.login(email, password)
        me = pair["user"]
        stored = {"url": url, "access_token": pair["access_token"], "refresh_token": pair["refresh_token"]}
    path = save_config(stored)
    out.show({"user": me, "config": str(path)}, lambda v: [f"Signed in as {v['user']['email']} ({v['config']})."])


def cmd_logout(args: argparse.Namespace, out: Output) -> None:
    config = load_config()
    if config.get("refresh_token"):
        client = client_from(args)
        with contextlib.suppress(VoxifyError):  # an ended session needs no logout
            client.auth.logout()
    config_path().unlink(missing_ok=True)
    out.show({"signed_out": True}, lambda _: ["Signed out."])


def cmd_whoami(args: argparse.Namespace, out: Output) -> None:
    me = run(args, lambda c: c.auth.me())
    out.show(me, lambda v: [f"{v['email']} ({v['user_id']})"])


def cmd_usage(args: argparse.Namespace, out: Output) -> None:
    usage = run(args, lambda c: c.auth.usage())
    out.show(
        usage,
        lambda v: [
            f"syntheses today  {v['syntheses']['used']} / {v['syntheses']['limit']}",
            f"uploads today    {v['uploads']['used']} / {v['uploads']['limit']}",
            f"storage          {v['storage_bytes']['used']} / {v['storage_bytes']['limit']} bytes",
            f"voice samples    {v['voice_samples']['used']} / {v['voice_samples']['limit']}",
        ],
    )


def _sample_line(sample: dict[str, Any]) -> str:
    return (
        f"{sample['sample_id']}  {sample['status']:<10} {sample['duration']:6.1f} s  "
        f"quality {sample['quality_score']:4.1f}  {sample['name']}"
    )


def cmd_samples_upload(args: argparse.Namespace, out: Output) -> None:
    name = args.name or Path(args.file).stem
    sample = run(args, lambda c: c.samples.upload(args.file, name=name, language=args.language))
    out.show(sample, lambda v: [_sample_line(v), f"transcript: {v.get('transcript', '')}"])


def cmd_samples_list(args: argparse.Namespace, out: Output) -> None:
    samples = run(args, lambda c: list(c.samples.list(status=args.status)))
    out.show(samples, lambda v: [_sample_line(s) for s in v] or ["No samples."])


def cmd_samples_show(args: argparse.Namespace, out: Output) -> None:
    sample = run(args, lambda c: c.samples.get(args.sample_id))
    issues = [f"  - {issue['message']}" for issue in sample.get("quality_issues", [])]
    out.show(sample, lambda v: [_sample_line(v), f"transcript: {v['transcript']}", *issues])


def cmd_samples_rm(args: argparse.Namespace, out: Output) -> None:
    run(args, lambda c: c.samples.delete(args.sample_id))
    out.show({"deleted": args.sample_id}, lambda v: [f"Deleted {v['deleted']}."])


def cmd_train(args: argparse.Namespace, out: Output) -> None:
    def train(client: Voxify) -> dict[str, Any]:
        job = client.samples.train(args.sample_id)
        outcome: dict[str, Any] = job.wait(progress=None if args.json else progress_bar) if args.wait else job.data
        return outcome

    result = run(args, train)
    out.show(result, lambda v: [f"{v.get('job_id') or v.get('training_job_id')}: {v['status']}"])


def _job_line(job: dict[str, Any]) -> str:
    return f"{job['job_id']}  {job['status']:<10} {job['progress'] * 100:3.0f}%  {job['title']}"


def cmd_jobs_list(args: argparse.Namespace, out: Output) -> None:
    jobs = run(args, lambda c: list(c.jobs.list(status=args.status, type=args.type)))
    out.show(jobs, lambda v: [_job_line(j) for j in v] or ["No jobs."])


def cmd_jobs_show(args: argparse.Namespace, out: Output) -> None:
    job = run(args, lambda c: c.jobs.get(args.job_id))
    out.show(job, lambda v: [_job_line(v), f"message: {v['message']}"])


def cmd_jobs_cancel(args: argparse.Namespace, out: Output) -> None:
    job = run(args, lambda c: c.jobs.cancel(args.job_id))
    out.show(job, lambda v: [_job_line(v)])


def cmd_jobs_watch(args: argparse.Namespace, out: Output) -> None:
    job = run(args, lambda c: c.jobs.wait(args.job_id, progress=None if args.json else progress_bar))
    out.show(job, lambda v: [_job_line(v)])


def cmd_say(args: argparse.Namespace, out: Output) -> None:
    config = {
        key: value
        for key, value in {
            "output_format": args.format,
            "speed": args.speed,
            "pitch": args.pitch,
            "volume": args.volume,
            "sample_rate": args.sample_rate,
        }.items()
        if value is not None
    }
    target = Path(args.output)

    def say(client: Voxify) -> dict[str, Any]:
        if not args.stream:
            data = client.tts.synthesize_audio(args.text, voice_id=args.voice, **config)
            target.write_bytes(data)
            return {"output": str(target), "bytes": len(data)}
        pieces = 0
        synthesis_id = ""
        for chunk in client.tts.stream(args.text, voice_id=args.voice, **config):
            pieces += 1
            synthesis_id = chunk.synthesis_id
            if not args.json:
                sys.stderr.write(f"piece {chunk.index}: {chunk.duration:.2f} s\n")
        synthesis = client.tts.get(synthesis_id)
        client.files.download(synthesis["file_id"], to=target)
        return {
            "output": str(target),
            "pieces": pieces,
            "synthesis_id": synthesis_id,
            "duration": synthesis["duration"],
        }

    result = run(args, say)
    out.show(result, lambda v: [f"Wrote {v['output']}."])


def cmd_history(args: argparse.Namespace, out: Output) -> None:
    def history(client: Voxify) -> list[dict[str, Any]]:
        items = []
        for item in client.tts.history():
            items.append(item)
            if len(items) >= args.limit:
                break
        return items

    items = run(args, history)
    out.show(items, lambda v: [_synthesis_line(s) for s in v] or ["Nothing spoken yet."])


def _synthesis_line(item: dict[str, Any]) -> str:
    seconds = item["duration"] or 0.0
    return f"{item['synthesis_id']}  {item['status']:<10} {item['format']:<5} {seconds:6.1f} s  {item['text_preview']}"


def run(args: argparse.Namespace, action: Callable[[Voxify], Any]) -> Any:
    client = client_from(args)
    try:
        return action(client)
    finally:
        remember_tokens(client)
        client.close()


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="voxify", description="Voxify from the command line.")
    root.add_argument("--url", help="the server (default: the one you logged in to, or $VOXIFY_URL)")
    root.add_argument("--json", action="store_true", help="print JSON (for scripts)")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[..., None], help: str, parent: Any = commands) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = parent.add_parser(name, help=help, description=help)
        sub.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
        sub.set_defaults(handler=handler)
        return sub

    login = command("login", cmd_login, "sign in (email and password, or an API key) and remember it")
    login.add_argument("--email")
    login.add_argument("--api-key", help="a personal API key (vx_...) instead of a password")
    command("logout", cmd_logout, "sign out and forget the stored credentials")
    command("whoami", cmd_whoami, "who the stored credentials are")
    command("usage", cmd_usage, "today's use against the quotas")

    samples = commands.add_parser("samples", help="voice samples", description="voice samples")
    sample_commands = samples.add_subparsers(dest="samples_command", required=True, metavar="SUBCOMMAND")
    upload = command("upload", cmd_samples_upload, "upload a recording", sample_commands)
    upload.add_argument("file")
    upload.add_argument("--name", help="default: the file's name")
    upload.add_argument("--language", default="en-US")
    listing = command("list", cmd_samples_list, "list your samples", sample_commands)
    listing.add_argument("--status")
    command("show", cmd_samples_show, "one sample, with its quality issues", sample_commands).add_argument("sample_id")
    command("rm", cmd_samples_rm, "delete a sample and its voice", sample_commands).add_argument("sample_id")

    train = command("train", cmd_train, "train a voice from a sample")
    train.add_argument("sample_id")
    train.add_argument("--wait", action="store_true", help="follow the training with a progress bar")

    say = command("say", cmd_say, "speak a text into an audio file")
    say.add_argument("text")
    say.add_argument("--voice", help="a voice id (default: the built-in voice)")
    say.add_argument("-o", "--output", required=True, help="the file to write")
    say.add_argument("--format", help="wav, mp3, ogg, opus, flac, aac, pcm, ulaw, alaw")
    say.add_argument("--speed", type=float)
    say.add_argument("--pitch", type=float)
    say.add_argument("--volume", type=float)
    say.add_argument("--sample-rate", type=int)
    say.add_argument("--stream", action="store_true", help="speak piece by piece (the SSE stream)")

    jobs = commands.add_parser("jobs", help="jobs", description="jobs (training, async synthesis)")
    job_commands = jobs.add_subparsers(dest="jobs_command", required=True, metavar="SUBCOMMAND")
    job_list = command("list", cmd_jobs_list, "list your jobs", job_commands)
    job_list.add_argument("--status")
    job_list.add_argument("--type", choices=["voice_training", "synthesis"])
    command("show", cmd_jobs_show, "one job", job_commands).add_argument("job_id")
    command("cancel", cmd_jobs_cancel, "cancel a job", job_commands).add_argument("job_id")
    command("watch", cmd_jobs_watch, "follow a job to its end", job_commands).add_argument("job_id")

    history = command("history", cmd_history, "your past syntheses, newest first")
    history.add_argument("--limit", type=int, default=20)
    return root


def exit_code(error: VoxifyError) -> int:
    if error.code == "NETWORK_ERROR":
        return EXIT_NETWORK
    for kind, code in EXIT_CODES:
        if isinstance(error, kind):
            return code
    return EXIT_API_ERROR


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out = Output(args.json)
    try:
        args.handler(args, out)
    except VoxifyError as error:
        if args.json:
            print(json.dumps({"error": {"code": error.code, "message": error.message, "status": error.status}}))
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return exit_code(error)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
