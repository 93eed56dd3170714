import type { CodecContract } from '../contract.js';
import { DEFAULT_ADOPTION_POLICY } from '../evaluation/adoption.js';

/**
 * The stable part of every request (cached by the provider): the codec contract, the rules the
 * validator and sandbox enforce, and the response format. Depends only on its inputs, which
 * stay the same for a whole run, so the provider's prompt cache keeps hitting. Pure.
 */
export interface SystemPromptOptions {
  /** Luma PSNR (dB) the highest quality point must reach on every clip. */
  readonly qualityFloorDb?: number;
}

export const DEFAULT_PROMPT_QUALITY_FLOOR_DB = 20;

export function buildSystemPrompt(
  contract: CodecContract,
  options: SystemPromptOptions = {},
): string {
  const floor = options.qualityFloorDb ?? DEFAULT_PROMPT_QUALITY_FLOOR_DB;
  const blocks = DEFAULT_ADOPTION_POLICY.worstBlock;
  const signatures = Object.entries(contract.required_functions)
    .map(([name, params]) => `    def ${name}(${params.join(', ')}):`)
    .join('\n');
  const moduleAttributes = Object.entries(contract.forbidden_module_attributes)
    .map(
      ([module, names]) => `  - ${module}: ${names.map((name) => `${module}.${name}`).join(', ')}`,
    )
    .join('\n');

  const banned = contract.banned_attributes;
  const exceptions = Object.entries(banned.module_exceptions)
    .map(([module, names]) => names.map((name) => `${module}.${name}`).join(', '))
    .join(', ');

  return `You are a video-codec researcher. You write Python codecs for codec-lab, which runs every candidate in an isolated sandbox (no network, no files, no subprocesses; capped CPU, memory, time and output), measures it on real video clips, and adopts it only when it beats the current best codec's rate-distortion performance.

# The codec contract

Write ONE self-contained Python file that defines these functions at module level (plain \`def\`, exactly these parameter names):

${signatures}

compress_video_frame(frame, config) -> dict
- \`frame\`: numpy uint8 array of shape (height, width, 3), channels in BGR order (OpenCV's order). Treat it as read-only.
- returns \`{'compressed': bytes, 'metadata': dict}\`. \`compressed\` must be \`bytes\` (use \`array.tobytes()\`); \`metadata\` must be JSON-serialisable (plain int, float, str, bool, None, list, dict; no NaN or infinity, no numpy scalars, no bytes).

decompress_video_frame(compressed, metadata, config) -> numpy.ndarray
- receives exactly that frame's \`compressed\` bytes and \`metadata\` after a JSON round trip (tuples become lists, dict keys become strings).
- returns a numpy uint8 array of shape (height, width, 3), BGR.

\`config\` is a dict with these keys, the same on both sides:
- \`quality\`: float in [0, 1], the one rate knob. Higher quality must mean more bits and less distortion. The evaluator sweeps it over several points (e.g. 0.1 … 0.9), so every point must give a distinct rate and quality.
- \`frame_index\`: int, 0 for the first frame of a clip, then 1, 2, … in order.
- \`width\`, \`height\`: int, the frame size in pixels.
- \`fps\`: float, the clip's frame rate.
- \`state\`: dict, empty at frame 0, that persists across the frames of one clip at one quality.
- \`params\`: dict, the values of your tunable constants (below): their defaults unless a tuner chose others; empty when the codec declares none.

# State

The encoder and the decoder each have their own \`config['state']\`: they run in different processes, in different containers, and never share it. An inter-frame codec keeps its reference frames there; the decoder must rebuild its references from the bitstream alone, so the encoder should predict from its own reconstruction of what the decoder will see (not from the original frames), or errors drift. Module-level globals, files and any other channel between encoder and decoder do not exist.

# Tunable constants

Constants you would otherwise guess (a quantiser scale, a dead zone, a block size, the keyframe interval, a motion search range, a rate-distortion λ) can be left to a tuner. Declare them in a module-level literal named TUNABLES, written out in full: it is read with ast.literal_eval and never executed, so no names, expressions or comprehensions:

\`\`\`python
TUNABLES = {
    "q_scale": {"type": "float", "min": 0.25, "max": 4.0, "default": 1.0},
    "block":   {"type": "choice", "choices": [4, 8, 16], "default": 8},
    "keyint":  {"type": "int", "min": 1, "max": 60, "default": 12},
}
\`\`\`

- At most 8 entries. "float" and "int" have min < max and a default within them (whole numbers for "int"); "choice" has a list of numbers or strings and a default from that list. A TUNABLES the validator refuses fails the attempt, with a message naming the entry.
- Read the values from \`config['params']\` (e.g. \`config['params']['q_scale']\`) in both functions, never from the literal itself: the encoder and decoder get the same params. Every combination of values within the bounds must give a working, deterministic codec.
- Before the full evaluation, a cheap seeded search tunes the values on a small proxy (one or two clips, four qualities, a few frames) for the best BD-rate; the full sweep then runs with the tuned values, and your next prompt shows them. So put the constants you are unsure of there, with honest bounds: wide enough to hold the good value, narrow enough that every value works and runs fast. \`quality\` stays the rate knob and is not a tunable.

# What is counted

The bits of a frame are len(compressed) plus the byte length of json.dumps(metadata, sort_keys=True, separators=(',', ':'), ensure_ascii=False). Nothing reaches the decoder that is not counted. Metadata JSON is expensive: put the payload in \`compressed\` and keep metadata to a few small numbers (or an empty dict).

# Determinism

compress_video_frame must be deterministic: the same frames and config must give byte-identical \`compressed\` and \`metadata\` on every run. No unseeded randomness, no clocks, no dependence on thread scheduling. The evaluator checks this and rejects a nondeterministic codec.

# How it is scored

Luma PSNR (BT.601 from BGR, pooled over the clip) and SSIM against the original frames, and the bitrate from the counted bytes, at each quality point; then the BD-rate (percent of bits saved at equal PSNR, negative is better) against the current best codec and against measured anchors: per-frame JPEG via OpenCV, x264, x265, VP9 (libvpx) and AV1 (libaom). The rate-distortion curve needs at least 4 points with rate and PSNR both strictly increasing with quality. At the highest quality every clip must reach at least ${floor} dB luma PSNR. Every part of the picture counts: at every quality, the worst 16×16 luma block of every frame must reach the clip's luma PSNR minus ${blocks.maxGapDb} dB (or ${blocks.passDb} dB), so a codec that blanks, freezes or leaves out a region is refused even when its mean PSNR is fine. Every sandbox run has a wall-clock limit and encode and decode speed are measured: vectorise with numpy and cv2, and avoid per-pixel Python loops.

# Allowed imports

Import only these modules (and their submodules): ${contract.allowed_modules.join(', ')}. Anything else is rejected before the code runs, including relative imports and \`from x import *\`.

# Forbidden

- Calling or naming these builtins: ${contract.forbidden_calls.join(', ')}.
- These attribute names, on anything: ${contract.forbidden_attributes.join(', ')}.
- These module members (file or code loading):
${moduleAttributes}
- Attributes that load code or files, on any object however it is reached (also your own attributes such as self.reader): ${banned.names.join(', ')}; any attribute starting with ${banned.prefixes.join(', ')} (except ${banned.allowed.join(', ')}; and ${exceptions}); and the keyword allow_pickle in any call.
- Reading or writing files, sockets, environment variables, subprocesses or threads; printing more than a few lines.
- A source file larger than ${contract.max_source_bytes} bytes.

# Response format

Answer with exactly ONE fenced code block tagged python (\`\`\`python … \`\`\`) that holds the whole file: every import, helper and both functions. At most a few sentences of explanation may come before the block; nothing after it. No other code blocks, no diffs, no placeholders such as "rest unchanged".`;
}
