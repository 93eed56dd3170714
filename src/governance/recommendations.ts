/**
 * One recommendation per failure pattern: what is wrong, how often, and a specific fix naming
 * the module, signature, key or limit. A recommendation that did not help is revised: each
 * revision of a category's fix is more explicit than the last (revision 2 adds the exact
 * skeleton, revision 3 a worked example). Pure.
 */
import type { CodecContract } from '../contract.js';
import type { FailureCategory } from '../evaluation/failure.js';
import type { Recommendation, Severity } from '../prompt/prompt-builder.js';
import { hasAutoFix } from './autofix.js';
import type { FailurePattern, ReportRecommendation } from './report.js';

export interface SandboxLimits {
  readonly timeoutS: number;
  readonly memoryMb: number;
}

/** Revisions a category's fix can go through before it is dropped as not helping. */
export const MAX_REVISION = 3;

const SEVERITY: Readonly<Record<FailureCategory, Severity>> = {
  syntax_errors: 'critical',
  forbidden_imports: 'high',
  forbidden_calls: 'high',
  missing_function: 'critical',
  return_format_error: 'high',
  decode_mismatch: 'high',
  runtime_errors: 'high',
  timeouts: 'medium',
  memory_exceeded: 'medium',
  output_flood: 'low',
  crashes: 'medium',
  nondeterministic: 'high',
  quality_floor: 'medium',
  sandbox_error: 'low',
  other: 'medium',
};

const SKELETON = [
  'def compress_video_frame(frame, config):',
  '    # frame: uint8 (height, width, 3) BGR; config["quality"] in [0, 1]',
  "    return {'compressed': payload_bytes, 'metadata': {'q': int_value}}",
  '',
  'def decompress_video_frame(compressed, metadata, config):',
  '    return decoded  # numpy uint8 array of shape (config["height"], config["width"], 3)',
].join('\n');

/** A complete, valid codec (per-frame JPEG): the prompt's worked example. */
export const EXAMPLE_CODEC = [
  'import cv2',
  'import numpy as np',
  '',
  'def compress_video_frame(frame, config):',
  "    q = int(5 + 90 * config['quality'])",
  "    ok, data = cv2.imencode('.jpg', frame, [cv2.IMWRITE_JPEG_QUALITY, q])",
  "    return {'compressed': data.tobytes(), 'metadata': {}}",
  '',
  'def decompress_video_frame(compressed, metadata, config):',
  '    return cv2.imdecode(np.frombuffer(compressed, np.uint8), cv2.IMREAD_COLOR)',
].join('\n');

export interface RecommendationInput {
  readonly pattern: Pick<FailurePattern, 'category' | 'count' | 'causes'>;
  readonly contract: CodecContract;
  readonly limits: SandboxLimits;
  readonly revision: number;
}

export function recommend(input: RecommendationInput): ReportRecommendation {
  const { pattern, revision } = input;
  const subjects = pattern.causes.map((cause) => cause.key);
  const description = describe(pattern);
  const fixes = fixVariants(input);
  const fix = fixes[Math.min(revision, fixes.length) - 1] ?? fixes[0] ?? '';
  return {
    key: pattern.category,
    issue: pattern.category,
    count: pattern.count,
    description,
    fix,
    severity: SEVERITY[pattern.category],
    auto_fixable: subjects.some((key) => hasAutoFix(pattern.category, key)),
    sample_attempt_ids: [...new Set(pattern.causes.flatMap((cause) => cause.attempt_ids))].slice(
      0,
      5,
    ),
    revision,
  };
}

/** What the prompt builder renders; the key and revision let effectiveness find it again. */
export function forPrompt(recommendation: ReportRecommendation): Recommendation {
  return {
    key: recommendation.key,
    revision: recommendation.revision,
    issue: recommendation.issue,
    count: recommendation.count,
    description: recommendation.description,
    fix: recommendation.fix,
    severity: recommendation.severity,
  };
}

function describe(pattern: RecommendationInput['pattern']): string {
  const times = pattern.count === 1 ? 'once' : `${pattern.count} times`;
  const causes = pattern.causes
    .map((cause) => (cause.count > 1 ? `${cause.label} (${cause.count}×)` : cause.label))
    .join('; ');
  return `${pattern.category} ${times} in the window${causes ? `: ${causes}` : ''}.`;
}

function subjectsOf(pattern: RecommendationInput['pattern'], prefix: string): string[] {
  return pattern.causes
    .filter((cause) => cause.key.startsWith(prefix))
    .map((cause) => cause.key.slice(prefix.length));
}

/** Capitalised like a sentence, unless it starts with an identifier (compress_video_frame). */
function sentence(text: string): string {
  return /^\w*_/.test(text) ? text : `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;
}

function list(names: readonly string[]): string {
  return names.join(', ');
}

/** The category's fix at revisions 1, 2, 3: each more explicit than the one before. */
function fixVariants({ pattern, contract, limits }: RecommendationInput): string[] {
  const allowed = list(contract.allowed_modules);
  const signatures = Object.entries(contract.required_functions)
    .map(([name, args]) => `${name}(${args.join(', ')})`)
    .join(' and ');
  switch (pattern.category) {
    case 'syntax_errors': {
      const top = pattern.causes[0];
      const head = top ? `${top.label}. ` : '';
      if (pattern.causes.some((cause) => cause.key === 'source_too_large')) {
        return [
          `The source must stay under ${contract.max_source_bytes} bytes: remove dead code, tables and comments.`,
        ];
      }
      return [
        `${head}The file must parse as Python 3.11: check indentation, brackets and colons, and do not include prose outside comments.`,
        `${head}Return only Python code inside the \`\`\`python block; no Markdown, no "..." placeholders, no unfinished functions.`,
        `${head}Write a shorter, simpler file that certainly parses; keep every function complete.`,
      ];
    }
    case 'forbidden_imports': {
      const modules = subjectsOf(pattern, 'module:');
      const loaders = subjectsOf(pattern, 'module_attribute:');
      const named = [
        modules.length > 0 ? `do not import ${list(modules)}` : '',
        loaders.length > 0 ? `do not use ${list(loaders)} (file or code loading)` : '',
      ]
        .filter(Boolean)
        .join('; ');
      const head = named ? `${sentence(named)}. ` : '';
      return [
        `${head}Import only these modules: ${allowed}. The sandbox has no file system, network or process access.`,
        `${head}The first lines of the file must be imports of the allowed modules only (${allowed}), e.g. "import numpy as np" and "import cv2"; replace anything from other modules with numpy/cv2 code.`,
        `${head}Start the file exactly like this and import nothing else:\n\nimport math\nimport struct\nimport numpy as np\nimport cv2`,
      ];
    }
    case 'forbidden_calls': {
      const calls = subjectsOf(pattern, 'call:');
      const head = calls.length > 0 ? `Do not use ${list(calls)}. ` : '';
      return [
        `${head}These are forbidden: ${list(contract.forbidden_calls)} and dunder attributes such as __dict__ or __globals__. Call functions directly by name.`,
        `${head}Replace getattr(obj, name) with a dict of functions, eval/exec with plain code, open() with in-memory io.BytesIO buffers.`,
        `${head}Write straightforward numpy/cv2 code with no reflection at all: no getattr, setattr, eval, exec, compile, open, globals, vars, and no attribute names starting with "__".`,
      ];
    }
    case 'missing_function': {
      const missing = subjectsOf(pattern, 'missing:');
      const wrongSignature = [
        ...subjectsOf(pattern, 'signature:'),
        ...subjectsOf(pattern, 'async:'),
      ];
      const head = [
        missing.length > 0 ? `Define ${list(missing)} at the top level of the file` : '',
        wrongSignature.length > 0
          ? `give ${list(wrongSignature)} exactly the contract's parameters`
          : '',
      ]
        .filter(Boolean)
        .join('; ');
      return [
        `${head ? `${sentence(head)}. ` : ''}The file must define exactly these top-level functions (plain def, these names and parameters): ${signatures}.`,
        `${head ? `${sentence(head)}. ` : ''}Use this skeleton, with these exact names and parameters:\n\n${SKELETON}`,
        `${head ? `${sentence(head)}. ` : ''}A complete, valid codec looks like this; keep its two function names and signatures:\n\n${EXAMPLE_CODEC}`,
      ];
    }
    case 'return_format_error': {
      const returned = subjectsOf(pattern, 'returned:');
      const keys = subjectsOf(pattern, 'missing_key:');
      const types = subjectsOf(pattern, 'compressed_type:');
      const head = [
        returned.length > 0
          ? `compress_video_frame returned ${list(returned)}: it must return a dict`
          : '',
        keys.length > 0 ? `the dict lacked ${list(keys)}` : '',
        types.length > 0 ? `'compressed' was ${list(types)}: convert it with .tobytes()` : '',
        pattern.causes.some((cause) => cause.key === 'metadata_not_json')
          ? "'metadata' held values JSON cannot encode: use int(), float(), str(), lists and dicts only"
          : '',
      ]
        .filter(Boolean)
        .join('; ');
      const first = head ? `${sentence(head)}. ` : '';
      return [
        `${first}compress_video_frame must return {'compressed': bytes, 'metadata': dict} with JSON-serialisable metadata.`,
        `${first}End compress_video_frame with: return {'compressed': payload.tobytes() if hasattr(payload, 'tobytes') else bytes(payload), 'metadata': {'shape': [int(h), int(w)]}}`,
        `${first}Follow this working example's return statements exactly:\n\n${EXAMPLE_CODEC}`,
      ];
    }
    case 'decode_mismatch':
      return [
        'decompress_video_frame must return a numpy uint8 array of shape (config["height"], config["width"], 3) in BGR order, decoded only from compressed and metadata.',
        'End decompress_video_frame with: return np.clip(decoded, 0, 255).astype(np.uint8).reshape(config["height"], config["width"], 3)',
        `Make the decoder the exact inverse of the encoder, as in this example:\n\n${EXAMPLE_CODEC}`,
      ];
    case 'runtime_errors': {
      const top = pattern.causes[0];
      const where = top ? ` The most frequent: ${top.label}.` : '';
      return [
        `Fix the exception shown in the traceback.${where} Check array shapes (odd widths and heights), dtypes (convert to int32 before arithmetic that may overflow uint8) and empty inputs.`,
        `Fix the exception shown in the traceback.${where} Test the codec mentally on a 16×16 frame and a 160×120 frame at quality 0.0 and 1.0; guard every division and index.`,
        `Fix the exception shown in the traceback.${where} Prefer simple, vectorised numpy/cv2 code over clever indexing; keep the previous working structure and change one thing at a time.`,
      ];
    }
    case 'timeouts':
      return [
        `Each run (one clip at one quality) must finish within ${limits.timeoutS} s on one CPU core: vectorise with numpy/cv2 instead of per-pixel Python loops.`,
        `Stay far below the ${limits.timeoutS} s limit: no Python loops over pixels or 8×8 blocks' coefficients; use cv2.dct, cv2.resize, numpy reshapes and matrix products on whole frames.`,
        `Budget about ${Math.max(1, Math.round(limits.timeoutS / 20))} s per frame at most; if a search (motion, RDO) is costly, shrink its range or drop it.`,
      ];
    case 'memory_exceeded':
      return [
        `The sandbox has ${limits.memoryMb} MB: avoid large intermediate arrays (float64 copies of every frame, huge lookup tables); use uint8/int16/float32.`,
        `Keep at most one or two reference frames in config['state'], in uint8; never allocate arrays larger than a few frames (${limits.memoryMb} MB limit).`,
        'Process the frame in blocks or rows rather than expanding it into large tensors; do not import torch unless it is needed.',
      ];
    case 'output_flood':
      return [
        'Do not print: output past 64 KiB is killed. Remove print statements and debug output.',
        'The codec must write nothing to stdout or stderr.',
        'Delete every print() call.',
      ];
    case 'crashes':
      return [
        'Do not call sys.exit or os functions, and do not trigger native crashes (out-of-bounds cv2 calls with wrong dtypes).',
        'Pass cv2 functions contiguous arrays of the dtype they expect (uint8 or float32) and valid sizes.',
        'Use only well-known cv2 functions (imencode, imdecode, dct, idct, resize, cvtColor) with checked inputs.',
      ];
    case 'nondeterministic':
      return [
        'The encoder must give identical bytes for identical input: no randomness, no time, no dict/set iteration order over unhashed inputs, no uninitialised numpy arrays (np.empty).',
        'Replace np.empty with np.zeros, and seed or remove every random choice.',
        'Make every decision a pure function of the frame, config and the state the codec itself stored.',
      ];
    case 'quality_floor': {
      const blocks = pattern.causes.filter((cause) => cause.key === 'quality_floor:worst_block');
      if (blocks.length > 0) {
        const where = blocks[0]?.label ?? '';
        return [
          `Part of the picture was destroyed (${where}): every 16×16 block of every frame must be reconstructed, not blanked, frozen or left out. Spend fewer bits everywhere rather than none on a region.`,
          `Part of the picture was destroyed (${where}). Check that every block is coded: loops over blocks must cover the right and bottom edges (widths and heights that are not multiples of the block size), and skip or copy modes must reproduce the block they stand for.`,
          `Part of the picture was destroyed (${where}). Code every block the same way, as in this example, before adding modes that skip blocks:\n\n${EXAMPLE_CODEC}`,
        ];
      }
      return [
        'At quality 1.0 the decoded video must reach at least 30 dB PSNR and every frame at least 20 dB: check that the decoder inverts the encoder exactly.',
        'Verify the colour conversion round-trips (BGR→YCrCb→BGR with the same cv2 constants) and that quantisation at quality 1.0 is fine.',
        `Start from a known-good structure such as:\n\n${EXAMPLE_CODEC}`,
      ];
    }
    case 'sandbox_error':
      return [
        'This is an infrastructure failure, not the codec: nothing in the code needs to change.',
      ];
    case 'other': {
      const generation = subjectsOf(pattern, 'generation:');
      const head =
        generation.length > 0 ? `Responses had no usable code (${list(generation)}). ` : '';
      return [
        `${head}Reply with exactly one \`\`\`python block containing the whole file.`,
        `${head}Keep the explanation to a few sentences and put the complete codec in a single \`\`\`python block; keep the file under ${Math.round(contract.max_source_bytes / 1024)} KiB.`,
        `${head}Answer with only the \`\`\`python block, nothing else.`,
      ];
    }
  }
}
