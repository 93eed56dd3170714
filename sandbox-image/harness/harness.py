"""codec-lab sandbox harness: the only program a sandbox container runs.

Protocol (see src/sandbox/protocol.ts for the orchestrator side):
  stdin  <- one uncompressed tar: job.json, codec.py, and the mode's inputs
            (encode: frames.bgr; decode: enc/NNNNNN.bin + enc/NNNNNN.json)
  stdout -> an 8-byte big-endian length, then one uncompressed tar of that length:
            result.json plus the outputs
            (encode: run0/NNNNNN.bin + run0/NNNNNN.json; decode: run0/frameNNNNNN.bgr;
            validate: run0/report.json)
  A batched job (job.json has a "runs" list) runs each entry in its own fresh child, one
  after the other, each with its own deadline and caps; run N's outputs are under runN/,
  and the batch stops at the first run that fails.
  stderr -> harness diagnostics only (the codec's own output goes to a capped pipe)

The harness imports numpy and cv2 before the job arrives, so a pre-started container
answers in milliseconds. Each codec run happens in a fresh child forked by the zygote
(a process forked before the job was read, so a run inherits no other run's data): a fresh
module, a fresh `state`, its stdout/stderr captured and capped, killed with SIGKILL at the
deadline. Nothing the child says is trusted: it is parsed with caps and the
orchestrator recomputes every metric from the bytes it gets back.

The harness is the container's process 1 (no Docker --init: its binary would be one host
inode bind-mounted into every container, a channel between sandboxes). As pid 1 it reaps
every orphan, and no signal reaches it from inside the container unless it installs a
handler, so SIGINT is ignored here. It makes itself undumpable before any codec code runs,
so a codec (same uid) cannot open /proc/1/fd/1 (the result channel) or /proc/1/mem; if
that cannot be ensured the harness refuses to start.
"""

import ctypes
import io
import json
import os
import resource
import select
import signal
import socket
import struct
import sys
import tarfile
import time
import traceback

import numpy  # noqa: F401  (pre-imported so forked runs start warm)
import cv2  # noqa: F401

import tunables
import validator

PROTOCOL_VERSION = 1
# The only argument: how long an unused pre-started container waits for its job.
IDLE_TIMEOUT_S = float(sys.argv[1]) if len(sys.argv) > 1 else 600.0
MAX_INPUT_BYTES = 1 << 30
LOG_CAP_BYTES = 64 * 1024
RECORD_HEADER = struct.Struct("!BIQ")  # kind, index, payload length

# What a child may report; everything else is decided by the parent or the orchestrator.
CHILD_CATEGORIES = frozenset(
    ("syntax_errors", "missing_function", "return_format_error", "decode_mismatch",
     "runtime_errors", "memory_exceeded", "crashes")
)

# Records a child sends to the parent on its result pipe.
REC_BITSTREAM, REC_METADATA, REC_FRAME, REC_JSON, REC_FAILURE, REC_DONE = 1, 2, 3, 4, 5, 6


def log(message):
    sys.stderr.write("[harness] %s\n" % message)
    sys.stderr.flush()


def make_undumpable():
    """Stops a codec (same uid) from opening /proc/<harness>/fd or /mem, or ptrace-ing it.

    Checked, not hoped for: a harness that is still dumpable would hand its result channel
    to the codec, so it exits instead (the orchestrator then reports a sandbox failure).
    """
    PR_SET_DUMPABLE, PR_GET_DUMPABLE = 4, 3
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        dumpable = libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)
    except OSError as error:
        dumpable = "unknown (%s)" % error
    if dumpable != 0:
        log("refusing to run: the harness is still dumpable (%s)" % dumpable)
        sys.exit(5)


def become_init():
    """As the container's pid 1: ignore SIGINT (the only handler Python installs)."""
    if os.getpid() != 1:
        log("refusing to run: the harness must be the container's process 1 (no --init)")
        sys.exit(6)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


READY_MARKER = "codec-lab-harness-ready"


def read_job():
    # The orchestrator starts its deadline at this line, so a slow container start (imports
    # on a loaded host) is not counted against the codec.
    log(READY_MARKER)
    ready, _, _ = select.select([0], [], [], IDLE_TIMEOUT_S)
    if not ready:
        log("no job within %.0f s; exiting" % IDLE_TIMEOUT_S)
        sys.exit(3)
    chunks, total = [], 0
    while True:
        chunk = os.read(0, 1 << 20)
        if not chunk:
            break
        total += len(chunk)
        if total > MAX_INPUT_BYTES:
            log("input over %d bytes" % MAX_INPUT_BYTES)
            sys.exit(4)
        chunks.append(chunk)
    files = {}
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks)), mode="r:") as archive:
        for member in archive:
            if member.isfile():
                files[member.name] = archive.extractfile(member).read()
    return json.loads(files.pop("job.json")), files


# ---------------------------------------------------------------- child side


cause = validator.cause


def failure_record(category, message, cause):
    """One failure as result.json carries it. Code reads the category and the cause; the message
    is for people and may be reworded freely."""
    return {"category": category, "message": message, "cause": cause}


class ChildFailure(Exception):
    def __init__(self, category, message, cause, tb=None):
        Exception.__init__(self, message)
        self.category = category
        self.message = message
        self.cause = cause
        self.tb = tb


def send(fd, kind, index, payload):
    data = RECORD_HEADER.pack(kind, index, len(payload)) + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def codec_traceback():
    return traceback.format_exc(limit=-12)[-8000:]


def load_codec(source):
    import linecache
    import types

    text = source.decode("utf-8", errors="replace")
    linecache.cache["codec.py"] = (len(text), None, validator.source_lines(text, keepends=True), "codec.py")
    module = types.ModuleType("codec")
    module.__file__ = "codec.py"
    sys.modules["codec"] = module
    try:
        code = compile(text, "codec.py", "exec")
    except SyntaxError as error:
        raise ChildFailure(
            "syntax_errors",
            "SyntaxError: %s (line %s)" % (error.msg, error.lineno),
            cause("exception:%s" % type(error).__name__, exception=type(error).__name__, detail=str(error.msg)[:200]),
        )
    except (RecursionError, MemoryError, ValueError, OverflowError) as error:
        # The same source the validator calls syntax_errors: the compiler gave up on it.
        raise ChildFailure(
            "syntax_errors",
            "the compiler gave up on this source (%s: %s): reduce the nesting depth" % (type(error).__name__, str(error)[:200]),
            cause("parser_gave_up:%s" % type(error).__name__, exception=type(error).__name__),
        )
    exec(code, module.__dict__)
    return module


def require_function(module, name):
    function = getattr(module, name, None)
    if not callable(function):
        raise ChildFailure(
            "missing_function",
            "the codec does not define %s()" % name,
            cause("missing:%s" % name, function=name),
        )
    return function


def make_config(job, index, state, params):
    return {
        "quality": float(job["quality"]),
        "frame_index": index,
        "width": int(job["width"]),
        "height": int(job["height"]),
        "fps": float(job["fps"]),
        "state": state,
        # A fresh copy per frame: a codec that edits it cannot change what the next frame gets.
        "params": dict(params),
    }


def job_params(job, source):
    """config['params']: the orchestrator's values (checked against the spec by it) in the
    spec's own types, else the TUNABLES defaults read from the source without running it ({}
    when it has none)."""
    import ast

    try:
        tree = ast.parse(source.decode("utf-8", errors="replace"), filename="codec.py")
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        tree = None
    limits = validator.load_contract()["tunables"]
    if "params" in job:
        given = dict(job["params"])
        return given if tree is None else tunables.typed(given, tree, limits)
    return {} if tree is None else tunables.defaults(tree, limits)


def canonical_json(value):
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def run_encode(job, files, out_fd):
    width, height, count = int(job["width"]), int(job["height"]), int(job["frames"])
    raw = files["frames.bgr"]
    frame_bytes = width * height * 3
    max_bitstream = int(job["max_bitstream_bytes"])
    params = job_params(job, files["codec.py"])
    compress = require_function(load_codec(files["codec.py"]), "compress_video_frame")
    state = {}
    for index in range(count):
        frame = numpy.frombuffer(raw, dtype=numpy.uint8, count=frame_bytes, offset=index * frame_bytes)
        frame = frame.reshape(height, width, 3).copy()
        result = compress(frame, make_config(job, index, state, params))
        if not isinstance(result, dict):
            raise ChildFailure(
                "return_format_error",
                "compress_video_frame returned %s for frame %d; return a dict {'compressed': bytes, 'metadata': dict}"
                % (type(result).__name__, index),
                cause("returned:%s" % type(result).__name__, type=type(result).__name__, frame=index),
            )
        missing = [key for key in ("compressed", "metadata") if key not in result]
        if missing:
            raise ChildFailure(
                "return_format_error",
                "compress_video_frame's dict for frame %d lacks %s; return {'compressed': bytes, 'metadata': dict}"
                % (index, ", ".join(repr(k) for k in missing)),
                cause("missing_key:%s" % ",".join(missing), keys=",".join(missing), frame=index),
            )
        compressed, metadata = result["compressed"], result["metadata"]
        if not isinstance(compressed, (bytes, bytearray)):
            raise ChildFailure(
                "return_format_error",
                "'compressed' for frame %d is %s; it must be bytes (use array.tobytes())"
                % (index, type(compressed).__name__),
                cause(
                    "compressed_type:%s" % type(compressed).__name__,
                    type=type(compressed).__name__,
                    frame=index,
                ),
            )
        if len(compressed) > max_bitstream:
            raise ChildFailure(
                "return_format_error",
                "'compressed' for frame %d is %d bytes, over the cap of %d bytes (the raw frame is %d bytes)"
                % (index, len(compressed), max_bitstream, frame_bytes),
                cause("over_cap", field="compressed", bytes=len(compressed), cap_bytes=max_bitstream, frame=index),
            )
        if not isinstance(metadata, dict):
            raise ChildFailure(
                "return_format_error",
                "'metadata' for frame %d is %s; it must be a dict" % (index, type(metadata).__name__),
                cause("metadata_type:%s" % type(metadata).__name__, type=type(metadata).__name__, frame=index),
            )
        try:
            metadata_json = canonical_json(metadata)
        except (TypeError, ValueError) as error:
            raise ChildFailure(
                "return_format_error",
                "'metadata' for frame %d is not JSON-serialisable (%s); use plain ints, floats, strings, lists and dicts"
                % (index, error),
                cause("metadata_not_json", frame=index, error=str(error)[:200]),
            )
        if len(metadata_json) > max_bitstream:
            raise ChildFailure(
                "return_format_error",
                "'metadata' for frame %d is %d bytes as JSON, over the cap of %d bytes"
                % (index, len(metadata_json), max_bitstream),
                cause("over_cap", field="metadata", bytes=len(metadata_json), cap_bytes=max_bitstream, frame=index),
            )
        send(out_fd, REC_BITSTREAM, index, bytes(compressed))
        send(out_fd, REC_METADATA, index, metadata_json)


def check_inputs(job, files):
    """The orchestrator's inputs, checked by the parent before any codec code runs."""
    if "codec.py" not in files:
        return "the job has no codec.py"
    if job["mode"] == "encode":
        expected = int(job["width"]) * int(job["height"]) * 3 * int(job["frames"])
        if len(files.get("frames.bgr", b"")) != expected:
            return "frames.bgr has %d bytes, expected %d" % (len(files.get("frames.bgr", b"")), expected)
    if job["mode"] == "decode":
        for index in range(int(job["frames"])):
            for suffix in ("bin", "json"):
                if "enc/%06d.%s" % (index, suffix) not in files:
                    return "enc/%06d.%s is missing" % (index, suffix)
    return None


def run_decode(job, files, out_fd):
    width, height, count = int(job["width"]), int(job["height"]), int(job["frames"])
    params = job_params(job, files["codec.py"])
    decompress = require_function(load_codec(files["codec.py"]), "decompress_video_frame")
    state = {}
    for index in range(count):
        compressed = files["enc/%06d.bin" % index]
        metadata = json.loads(files["enc/%06d.json" % index].decode("utf-8"))
        frame = decompress(compressed, metadata, make_config(job, index, state, params))
        if not isinstance(frame, numpy.ndarray):
            raise ChildFailure(
                "decode_mismatch",
                "decompress_video_frame returned %s for frame %d; return a numpy uint8 array of shape (%d, %d, 3)"
                % (type(frame).__name__, index, height, width),
                cause("decoded_type:%s" % type(frame).__name__, type=type(frame).__name__, frame=index),
            )
        if frame.dtype != numpy.uint8 or frame.shape != (height, width, 3):
            raise ChildFailure(
                "decode_mismatch",
                "decompress_video_frame returned dtype %s shape %s for frame %d; expected uint8 (%d, %d, 3)"
                % (frame.dtype, tuple(frame.shape), index, height, width),
                cause(
                    "decoded_shape:%s" % frame.dtype,
                    dtype=str(frame.dtype),
                    shape="x".join(str(n) for n in frame.shape),
                    frame=index,
                ),
            )
        send(out_fd, REC_FRAME, index, numpy.ascontiguousarray(frame).tobytes())


def run_validate(job, files, out_fd):
    contract = validator.load_contract()
    report = validator.analyse(files["codec.py"], contract)
    send(out_fd, REC_JSON, 0, json.dumps(report).encode("utf-8"))


MODES = {"encode": run_encode, "decode": run_decode, "validate": run_validate}


def child_main(job, files, out_fd, log_fd):
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    try:
        threads = int(job.get("threads", 1))
        if threads != WARM_THREADS:
            cv2.setNumThreads(threads)
        MODES[job["mode"]](job, files, out_fd)
        send(out_fd, REC_DONE, 0, b"")
    except ChildFailure as failure:
        send_failure(out_fd, failure_record(failure.category, failure.message, failure.cause), failure.tb)
    except MemoryError:
        send_failure(
            out_fd,
            failure_record("memory_exceeded", "MemoryError raised", cause("limit:memory", detected="MemoryError")),
            codec_traceback(),
        )
    except SystemExit as error:
        send_failure(
            out_fd,
            failure_record(
                "crashes", "the codec called sys.exit(%r)" % (error.code,), cause("sys_exit", code=repr(error.code)[:200])
            ),
            codec_traceback(),
        )
    except BaseException as error:  # the codec's own exceptions: all of them are its failures
        name = type(error).__name__
        send_failure(
            out_fd,
            failure_record(
                "runtime_errors",
                "%s: %s" % (name, str(error)[:2000]),
                cause("exception:%s" % name, exception=name, detail=str(error)[:200]),
            ),
            codec_traceback(),
        )
    os._exit(0)


def send_failure(out_fd, payload, tb):
    if tb:
        payload["traceback"] = tb
    send(out_fd, REC_FAILURE, 0, json.dumps(payload).encode("utf-8"))


# ---------------------------------------------------------------- parent side


def oom_kills():
    """The container's OOM-kill counter (cgroup v2 memory.events or v1 memory.oom_control)."""
    for path, key in (
        ("/sys/fs/cgroup/memory.events", "oom_kill"),
        ("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill"),
    ):
        try:
            with open(path, "r") as handle:
                for line in handle:
                    name, _, value = line.partition(" ")
                    if name == key:
                        return int(value)
        except (OSError, ValueError):
            continue
    return None


# ---------------------------------------------------------------- the zygote
#
# Every run is forked from the zygote, a child the harness forks before it reads the job, so a run
# inherits no memory that ever held another run's inputs or outputs (a fork copies the whole
# address space, freed heap included; dropping references does not erase bytes). The zygote only
# ever receives three descriptors per run; the run reads its own inputs from a pipe. A double fork
# re-parents the run to the harness, which reaps it and reads its wait status.
# docs/ARCHITECTURE.md §5.3.

ZYGOTE = {"pid": None, "socket": None, "dead": False, "settings": None}
ZYGOTE_ANSWER_S = 10.0
LENGTH = struct.Struct("!Q")


# What a process of the same uid can change in another one and a fork passes on, without touching
# its memory: resource limits (prlimit), the nice value, the CPU affinity and the scheduling
# policy and attributes (the fair scheduler's custom slice). Recorded before the zygote is forked; the scrub puts the zygote back to these values.
RLIMITS = range(16)  # every Linux resource limit (RLIM_NLIMITS), named in `resource` or not


# sched_getattr/sched_setattr (no Python wrapper) by architecture: they also carry the fair
# scheduler's custom slice, which another process of the same uid may set and a fork passes on.
SCHED_ATTR_CALLS = {"x86_64": (315, 314), "aarch64": (275, 274)}
SCHED_ATTR_SIZE = 56


def sched_attr(pid):
    """The raw struct sched_attr of `pid` (policy, flags, nice, priority, slice, ...)."""
    calls = SCHED_ATTR_CALLS.get(os.uname().machine)
    if calls is None:
        raise OSError("no sched_getattr number for %s" % os.uname().machine)
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(SCHED_ATTR_SIZE)
    if libc.syscall(calls[0], ctypes.c_int(pid), buffer, ctypes.c_uint(SCHED_ATTR_SIZE), ctypes.c_uint(0)) != 0:
        raise OSError(ctypes.get_errno(), "sched_getattr")
    return buffer.raw


def set_sched_attr(pid, raw):
    """Writes back a struct sched_attr; a slice equal to the default is written as 0 (default)."""
    libc = ctypes.CDLL(None, use_errno=True)
    call = SCHED_ATTR_CALLS[os.uname().machine][1]
    fields = list(struct.unpack_from("IIQiIQQQ", raw))
    fields[2] = 0  # flags
    attempts = [fields[:5] + [0] + fields[6:], fields]  # the default slice first, then the value
    for attempt in attempts:
        data = struct.pack("IIQiIQQQ", *attempt) + raw[48:]
        if libc.syscall(call, ctypes.c_int(pid), ctypes.c_char_p(data), ctypes.c_uint(0)) == 0:
            if sched_attr(pid) == raw:
                return


def inherited_settings(pid):
    return {
        "rlimits": [resource.prlimit(pid, which) for which in RLIMITS],
        "nice": os.getpriority(os.PRIO_PROCESS, pid),
        "affinity": sorted(os.sched_getaffinity(pid)),
        "scheduler": (os.sched_getscheduler(pid), os.sched_getparam(pid).sched_priority),
        "sched_attr": sched_attr(pid),
    }


def restore_zygote():
    """Puts the zygote's inherited settings back to what they were at its fork; None when they
    are, else what an earlier run changed for good (a lowered hard limit, a raised nice value)."""
    pid, baseline = ZYGOTE["pid"], ZYGOTE["settings"]
    if baseline is None:
        return "the zygote's settings cannot be checked on %s" % os.uname().machine
    try:
        now = inherited_settings(pid)
        for which, limits, current in zip(RLIMITS, baseline["rlimits"], now["rlimits"]):
            if current != limits:
                resource.prlimit(pid, which, limits)
        if now["nice"] != baseline["nice"]:
            os.setpriority(os.PRIO_PROCESS, pid, baseline["nice"])
        if now["affinity"] != baseline["affinity"]:
            os.sched_setaffinity(pid, baseline["affinity"])
        if now["scheduler"] != baseline["scheduler"]:
            policy, priority = baseline["scheduler"]
            os.sched_setscheduler(pid, policy, os.sched_param(priority))
        if sched_attr(pid) != baseline["sched_attr"]:
            set_sched_attr(pid, baseline["sched_attr"])
        changed = [key for key, value in inherited_settings(pid).items() if value != baseline[key]]
    except (OSError, ValueError, struct.error) as error:
        return "the zygote's limits, nice value, affinity or scheduler (%s)" % error
    return ("the zygote's %s" % ", ".join(changed)) if changed else None


def start_zygote():
    try:
        settings = inherited_settings(0)
    except OSError:
        settings = None  # not checkable here: every batch then stops at its first scrub
    parent_end, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        try:
            parent_end.close()
            os.close(PROTOCOL_FD)
            zygote_loop(zygote_end)
        finally:
            os._exit(0)
    zygote_end.close()
    ZYGOTE.update(pid=pid, socket=parent_end, settings=settings)


def zygote_loop(sock):
    while True:
        message, fds, _, _ = socket.recv_fds(sock, 16, 3)
        if message == b"k" and not fds:
            try:
                os.kill(-1, signal.SIGKILL)  # every process but this one and the harness (pid 1)
            except ProcessLookupError:
                pass
            sock.send(b"k")
            continue
        if not message or len(fds) != 3:
            return
        middle = os.fork()
        if middle == 0:
            try:
                run = os.fork()
                if run == 0:
                    try:
                        sock.close()
                        run_child(*fds)
                    finally:
                        os._exit(70)
                sock.send(struct.pack("!i", run))
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        os.waitpid(middle, 0)


def run_child(job_r, result_w, log_w):
    """A fresh run: its own inputs from the pipe, then the codec (never returns)."""
    os.setpgid(0, 0)
    while os.getppid() != 1:  # re-parented to the harness before any codec code runs
        time.sleep(0.0002)
    job, files = read_run(job_r)
    os.close(job_r)
    child_main(job, files, result_w, log_w)


def read_exactly(fd, size):
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the run's inputs ended early")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_run(fd):
    header = json.loads(read_exactly(fd, LENGTH.unpack(read_exactly(fd, LENGTH.size))[0]))
    return header["job"], {name: read_exactly(fd, size) for name, size in header["files"]}


def send_run(fd, job, files):
    items = [(name, data) for name, data in files.items() if data is not None]
    header = json.dumps({"job": job, "files": [[name, len(data)] for name, data in items]}).encode("utf-8")
    for data in [LENGTH.pack(len(header)), header] + [data for _, data in items]:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]


def zygote_kill_all():
    """Has the zygote SIGKILL every process but itself and the harness at once (kill(-1): no
    process can slip between a listing and a kill by forking)."""
    if ZYGOTE["dead"]:
        return
    try:
        os.kill(ZYGOTE["pid"], signal.SIGCONT)  # a run may have stopped it
        ZYGOTE["socket"].send(b"k")
        ready, _, _ = select.select([ZYGOTE["socket"]], [], [], ZYGOTE_ANSWER_S)
        answered = ready and ZYGOTE["socket"].recv(16) == b"k"
    except OSError:
        answered = False
    if not answered:
        ZYGOTE["dead"] = True  # unusable: the job stops at this scrub


def fork_run(job_r, result_w, log_w, deadline):
    """The pid of a fresh run forked by the zygote, or None when the zygote does not answer."""
    sock = ZYGOTE["socket"]
    try:
        socket.send_fds(sock, [b"r"], [job_r, result_w, log_w])
        ready, _, _ = select.select([sock], [], [], max(0.0, min(ZYGOTE_ANSWER_S, deadline - time.monotonic())))
        answer = sock.recv(16) if ready else b""
    except OSError:
        return None
    return struct.unpack("!i", answer)[0] if len(answer) == 4 else None


class RunOutcome:
    def __init__(self):
        self.records = []
        self.failure = None
        self.done = False
        self.wall_s = 0.0
        self.log = b""
        self.log_truncated = False


def supervise(job, files, deadline):
    """Has the zygote fork one child run, hands it its inputs and supervises it. Returns a
    RunOutcome."""
    outcome = RunOutcome()
    result_r, result_w = os.pipe()
    log_r, log_w = os.pipe()
    job_r, job_w = os.pipe()
    max_result = int(job["max_result_bytes"])
    oom_before = oom_kills()
    started = time.monotonic()
    pid = fork_run(job_r, result_w, log_w, deadline)
    for fd in (job_r, result_w, log_w):
        os.close(fd)
    if pid is None:
        for fd in (result_r, log_r, job_w):
            os.close(fd)
        outcome.failure = failure_record(
            "crashes",
            "the process every run is forked from did not answer (an earlier run of this container killed or stopped it)",
            cause("leftover_state"),
        )
        return outcome
    try:
        send_run(job_w, job, files)
    except OSError:
        pass  # the child died before it read its inputs: its wait status says how
    os.close(job_w)
    buffer = bytearray()
    open_fds = {result_r, log_r}
    killed_for = None
    while open_fds:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            killed_for = failure_record(
                "timeouts",
                "the codec ran past the deadline of %.1f s and was killed" % job["deadline_s"],
                cause("limit:timeout", deadline_s=float(job["deadline_s"])),
            )
            break
        ready, _, _ = select.select(list(open_fds), [], [], remaining)
        for fd in ready:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                open_fds.discard(fd)
                continue
            if fd == log_r:
                room = LOG_CAP_BYTES - len(outcome.log)
                outcome.log += chunk[:room]
                if len(chunk) > room:
                    outcome.log_truncated = True
                    killed_for = failure_record(
                        "output_flood",
                        "the codec wrote more than %d bytes to stdout/stderr and was killed" % LOG_CAP_BYTES,
                        cause("output_flood", cap_bytes=LOG_CAP_BYTES),
                    )
            else:
                buffer += chunk
                if len(buffer) > max_result:
                    killed_for = failure_record(
                        "return_format_error",
                        "the codec's output passed %d bytes, the cap for this clip" % max_result,
                        cause("over_cap", field="output", cap_bytes=max_result),
                    )
        if killed_for:
            break
    if killed_for:
        kill_child(pid)
    status = wait_child(pid, deadline + 2.0)
    outcome.wall_s = time.monotonic() - started
    for fd in open_fds:
        os.close(fd)
    parse_records(bytes(buffer), outcome)
    if killed_for:
        outcome.failure = killed_for
    elif outcome.failure is None and not outcome.done:
        outcome.failure = describe_death(status, oom_before)
    return outcome


def kill_child(pid):
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except OSError:
            pass


def wait_child(pid, until):
    """The child's wait status. As pid 1 the harness also reaps every orphan on the way."""
    while True:
        status = reap(pid)
        if status is not None:
            return status
        if time.monotonic() > until:
            kill_child(pid)
            try:
                return os.waitpid(pid, 0)[1]
            except ChildProcessError:  # never re-parented to the harness: counted as killed
                return signal.SIGKILL
        time.sleep(0.001)


def reap(pid):
    """Reaps every exited process (orphans are re-parented to pid 1); returns pid's status if it was
    one (pid None: just reaps)."""
    found = None
    while True:
        try:
            done, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return found
        if done == 0:
            return found
        if done == ZYGOTE["pid"]:
            ZYGOTE["dead"] = True
        if done == pid:
            found = status


def describe_death(status, oom_before):
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        oom_after = oom_kills()
        if number == signal.SIGKILL and oom_after is not None and oom_before is not None and oom_after > oom_before:
            return failure_record(
                "memory_exceeded",
                "the codec exceeded the memory limit and was killed",
                cause("limit:memory", detected="oom_kill"),
            )
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        return failure_record("crashes", "the codec died on signal %s" % name, cause("signal:%s" % name, signal=name))
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    return failure_record(
        "crashes",
        "the codec exited on its own (exit status %d) before finishing" % code,
        cause("exited", status=code),
    )


def parse_records(data, outcome):
    offset = 0
    while offset < len(data):
        if len(data) - offset < RECORD_HEADER.size:
            outcome.failure = outcome.failure or failure_record(
                "crashes", "truncated result record", cause("truncated_record")
            )
            return
        kind, index, length = RECORD_HEADER.unpack_from(data, offset)
        offset += RECORD_HEADER.size
        payload = data[offset : offset + length]
        offset += length
        if len(payload) != length:
            outcome.failure = outcome.failure or failure_record(
                "crashes", "truncated result record", cause("truncated_record")
            )
            return
        if kind == REC_DONE:
            outcome.done = True
        elif kind == REC_FAILURE:
            try:
                failure = json.loads(payload.decode("utf-8"))
                category = str(failure["category"])
                if category not in CHILD_CATEGORIES:
                    # Only the parent reports infrastructure trouble: a child claiming it is
                    # a codec forging its own result channel.
                    raise ValueError(category)
                # The cause is passed on as the child wrote it: the orchestrator validates it and
                # never lets it decide anything.
                outcome.failure = failure_record(category, str(failure["message"]), failure.get("cause"))
                if "traceback" in failure:
                    outcome.failure["traceback"] = str(failure["traceback"])
            except (ValueError, KeyError, TypeError):
                outcome.failure = failure_record(
                    "crashes",
                    "the codec wrote an invalid failure record into the harness channel",
                    cause("invalid_record"),
                )
        else:
            outcome.records.append((kind, index, payload))


PROTOCOL_FD = None


def run_jobs(job, files):
    """The runs of a job, each as (its own job fields, its own inputs).

    A per-point job is one run over the whole job. A batched job (a "runs" list) is one run
    per entry: the entry's fields over the job's, and its inputs under its "inputs" prefix
    (an encoder batch shares frames.bgr at the top; a decoder batch has in<N>/enc/...).
    """
    if "runs" not in job:
        return [(job, files)]
    if not isinstance(job["runs"], list) or not job["runs"]:
        raise ValueError("runs must be a non-empty list")
    result = []
    for spec in job["runs"]:
        prefix = str(spec.get("inputs", ""))
        if prefix and not (prefix.startswith("in") and prefix.endswith("/") and prefix[2:-1].isdigit()):
            raise ValueError("bad inputs prefix %r" % prefix)
        run_job = dict(job)
        del run_job["runs"]
        run_job.update(spec)
        own = {name[len(prefix):]: data for name, data in files.items() if name.startswith(prefix)}
        own["codec.py"] = files.get("codec.py")
        result.append((run_job, own))
    return result


# Between two runs of one batch nothing may carry over: no process, no file in the scratch tmpfs
# or in /dev/mqueue (POSIX message queues, which a plain open() creates there), no System V IPC
# object (the container's private IPC namespace). docs/ARCHITECTURE.md §5.3.
SCRATCH_DIR = "/tmp"
# Docker mounts the IPC namespace's mqueue file system here, writable by everyone.
MQUEUE_DIR = "/dev/mqueue"
SCRUB_TRIES = 200


def other_processes():
    """Every process in the container (its own pid namespace) but the harness and its zygote (a
    child of the harness: its pid cannot be reused before the harness reaps it)."""
    own = (os.getpid(), ZYGOTE["pid"])
    return [int(name) for name in os.listdir("/proc") if name.isdigit() and int(name) not in own]


def kill_strays():
    """SIGKILLs and reaps every other process in the container but the zygote; True when none is
    left and the zygote is alive (and running again, if a run stopped it)."""
    for _ in range(SCRUB_TRIES):
        zygote_kill_all()
        for pid in other_processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        reap(None)
        if not other_processes():
            return not ZYGOTE["dead"]
        time.sleep(0.001)
    return False


def clear_dir(path, missing_ok=False):
    """Removes everything under `path` (never following a link); the names it could not remove."""
    left = []
    try:
        entries = list(os.scandir(path))
    except FileNotFoundError:
        return [] if missing_ok else ["%s (missing)" % path]
    except OSError as error:
        return ["%s (%s)" % (path, error.strerror)]
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                os.chmod(entry.path, 0o700)  # a codec may have made its own directory read-only
                left.extend(clear_dir(entry.path))
                os.rmdir(entry.path)
            else:
                os.unlink(entry.path)
        except OSError as error:
            left.append("%s (%s)" % (entry.path, error.strerror))
    return left


IPC_RMID = 0


def clear_sysv_ipc():
    """Removes every System V shared memory segment, message queue and semaphore set of the
    container's IPC namespace; returns what is left."""
    libc = ctypes.CDLL(None, use_errno=True)
    removers = {
        "shm": lambda ident: libc.shmctl(ident, IPC_RMID, None),
        "msg": lambda ident: libc.msgctl(ident, IPC_RMID, None),
        "sem": lambda ident: libc.semctl(ident, 0, IPC_RMID),
    }
    left = []
    for kind, remove in removers.items():
        for ident in sysv_ids(kind):
            remove(ident)
        left.extend("%s %d" % (kind, ident) for ident in sysv_ids(kind))
    return left


def sysv_ids(kind):
    with open("/proc/sysvipc/" + kind, "r") as handle:
        lines = handle.read().splitlines()[1:]
    return [int(line.split()[1]) for line in lines if line.strip()]


def scrub():
    """What an earlier run of this container left: None when nothing is left, else a description."""
    if not kill_strays():
        if ZYGOTE["dead"]:
            return "the process every run is forked from was killed or stopped answering"
        return "processes that would not die: %s" % other_processes()[:10]
    changed = restore_zygote()
    if changed is not None:
        return changed
    try:
        left = clear_sysv_ipc() + clear_dir(SCRATCH_DIR) + clear_dir(MQUEUE_DIR, missing_ok=True)
    except (OSError, ValueError, IndexError) as error:
        return "could not inspect the container's state: %s" % error
    return ("could not remove: %s" % ", ".join(left[:10])) if left else None


# The thread count the parent sets before any run (the hardening pins OMP_NUM_THREADS to the CPU
# cap); a child whose job asks for another count sets its own.
WARM_THREADS = 1


def warm_up():
    """Pays once, in the parent and before the ready line, what every fresh child would otherwise
    pay on its first call: OpenCV's thread setup and the lazy initialisation of common codecs and
    kernels. Single-threaded (a forked child must not inherit a worker pool); trusted code only,
    the same in every container, so no run can learn anything from it."""
    cv2.setNumThreads(WARM_THREADS)
    image = numpy.zeros((16, 16, 3), dtype=numpy.uint8)
    for ext in (".jpg", ".png", ".webp"):
        ok, encoded = cv2.imencode(ext, image)
        if ok:
            cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    cv2.cvtColor(image, cv2.COLOR_BGR2YCrCb)
    cv2.resize(image, (8, 8), interpolation=cv2.INTER_AREA)
    cv2.dct(numpy.zeros((8, 8), dtype=numpy.float32))


OUTPUT_NAMES = {
    REC_BITSTREAM: "%06d.bin",
    REC_METADATA: "%06d.json",
    REC_FRAME: "frame%06d.bgr",
    REC_JSON: "report.json",
}


def main():
    global PROTOCOL_FD
    become_init()
    make_undumpable()
    # The protocol channel is a private copy of stdout; fd 1 and 2 of every child are its log pipe.
    PROTOCOL_FD = os.dup(1)
    null = os.open("/dev/null", os.O_WRONLY)
    os.dup2(null, 1)
    warm_up()
    start_zygote()
    job, files = read_job()
    problem = None
    if job.get("protocol") != PROTOCOL_VERSION:
        problem = "protocol %r is not %d" % (job.get("protocol"), PROTOCOL_VERSION)
    else:
        try:
            planned = run_jobs(job, files)
            problem = next((p for p in (check_inputs(j, f) for j, f in planned) if p is not None), None)
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            problem = "bad runs: %s" % error
    if problem is not None:
        # The orchestrator's fault, not the codec's: reported as such, no codec code ran.
        failure = failure_record("sandbox_error", "bad job: " + problem, cause("bad_job"))
        result = {"protocol": PROTOCOL_VERSION, "mode": job.get("mode"), "python": sys.version.split()[0],
                  "runs": [{"failure": failure, "wall_s": 0.0, "log": "", "log_truncated": False}]}
        write_result(json.dumps(result).encode("utf-8"), [])
        return
    runs, archive_entries = [], []
    for number, (run_job, run_files) in enumerate(planned):
        if number > 0:
            left = scrub()
            if left is not None:
                # The previous run left state that could not be cleared: the batch stops there.
                runs[-1]["failure"] = failure_record(
                    "crashes", "the run left state the harness could not clear (%s)" % left, cause("leftover_state")
                )
                break
        # Each run gets its own deadline, counted from its own fork, and its own output caps.
        deadline = time.monotonic() + float(run_job["deadline_s"])
        outcome = supervise(run_job, run_files, deadline)
        runs.append(
            {
                "failure": outcome.failure,
                "wall_s": round(outcome.wall_s, 6),
                "log": outcome.log.decode("utf-8", errors="replace"),
                "log_truncated": outcome.log_truncated,
            }
        )
        archive_entries.extend(
            ("run%d/%s" % (number, OUTPUT_NAMES[kind] % index if "%" in OUTPUT_NAMES[kind] else OUTPUT_NAMES[kind]), payload)
            for kind, index, payload in outcome.records
            if kind in OUTPUT_NAMES
        )
        if outcome.failure is not None:
            break  # the evaluation stops at its first failure: later runs would be wasted
    result = {
        "protocol": PROTOCOL_VERSION,
        "mode": job["mode"],
        "python": sys.version.split()[0],
        "runs": runs,
    }
    write_result(json.dumps(result).encode("utf-8"), list(archive_entries))


def write_result(result_json, entries):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, payload in [("result.json", result_json)] + entries:
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            info.mtime = 0
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(payload))
    data = buffer.getvalue()
    # The length prefix lets the orchestrator finish as soon as the last byte arrives,
    # without waiting for the container to be torn down.
    with os.fdopen(PROTOCOL_FD, "wb") as out:
        out.write(struct.pack("!Q", len(data)))
        out.write(data)


if __name__ == "__main__":
    main()
