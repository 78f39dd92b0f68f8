#!/usr/bin/env node
/**
 * Generates the DICOM data dictionary of @lightbox/dicom from two offline, machine-readable sources:
 *
 *  - dcmjs (MIT, npm devDependency): `generate/dictionary.mjs`, the readable form of the packed dictionary
 *    that `build/dcmjs.es.js` embeds (same entries), plus the UIDs that appear in `build/dcmjs.es.js`;
 *  - Debian's python3-pydicom (MIT): `_dicom_dict.py` (DicomDictionary, RepeatersDictionary), `_uid_dict.py`
 *    and the Storage SOP Class list (`_storage_sopclass_uids.py`, or `uid.py` where that file only
 *    re-exports it). The Python files are read as text; no Python is executed.
 *
 * Merge rules (the disagreements resolved are printed):
 *  - pydicom is the base: it is generated from the XML of PS3.6 itself, so its keywords, names, VRs and VMs
 *    are the standard's (dcmjs's table descends from DCMTK's and carries a few typos and draft values);
 *  - dcmjs adds the elements pydicom lacks (its table is newer than pydicom's 2022a); their names are
 *    derived from the keywords, since dcmjs stores keywords only;
 *  - an element is retired when either source says so (retirement is one-way in DICOM);
 *  - dcmjs's exact tags that fall inside one of pydicom's repeating masks (e.g. (0028,0410) inside
 *    (0028,04x0)) are folded into the repeating entry;
 *  - UIDs come from pydicom; every UID that dcmjs names must be known after the merge; HAND_UIDS adds what
 *    both lack (values from PS3.6 Table A-1; the names and keywords agree with upstream pydicom).
 *
 * Usage: node packages/dicom/scripts/generate-dictionary.mjs [--out <dir>] [--quiet]
 * Environment: PYDICOM_DIR overrides the location of the pydicom package.
 * Output is deterministic (sorted, no dates): re-running gives byte-identical files.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, '..');

// ---------------------------------------------------------------------------------------------------------
// Command line

const args = process.argv.slice(2);
let outDir = join(packageDir, 'src', 'dictionary');
let quiet = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out' && args[i + 1]) outDir = resolve(args[++i]);
  else if (args[i] === '--quiet') quiet = true;
  else fail(`unknown argument ${args[i]}; usage: generate-dictionary.mjs [--out <dir>] [--quiet]`);
}

function fail(message) {
  console.error(`generate-dictionary: ${message}`);
  process.exit(1);
}

function log(message) {
  if (!quiet) console.log(message);
}

// ---------------------------------------------------------------------------------------------------------
// Sources

const require = createRequire(import.meta.url);
let dcmjsDir;
try {
  dcmjsDir = resolve(dirname(require.resolve('dcmjs')), '..');
} catch {
  fail('dcmjs is not installed (run npm install)');
}
const dcmjsVersion = JSON.parse(readFileSync(join(dcmjsDir, 'package.json'), 'utf8')).version;
const dcmjsDictionaryFile = join(dcmjsDir, 'generate', 'dictionary.mjs');
const dcmjsBuildFile = join(dcmjsDir, 'build', 'dcmjs.es.js');
for (const f of [dcmjsDictionaryFile, dcmjsBuildFile]) if (!existsSync(f)) fail(`missing ${f}`);

const pydicomCandidates = [
  process.env.PYDICOM_DIR,
  '/usr/lib/python3/dist-packages/pydicom',
  '/usr/local/lib/python3/dist-packages/pydicom',
].filter(Boolean);
const pydicomDir = pydicomCandidates.find((d) => existsSync(join(d, '_dicom_dict.py')));
if (!pydicomDir)
  fail(`pydicom not found in ${pydicomCandidates.join(', ')}: apt-get install python3-pydicom`);
const pyText = (name) => readFileSync(join(pydicomDir, name), 'utf8');
const pydicomVersion = /__version__[^=]*=\s*'([^']+)'/.exec(pyText('_version.py'))?.[1] ?? 'unknown';
const dicomEdition = /__dicom_version__[^=]*=\s*'([^']+)'/.exec(pyText('_version.py'))?.[1] ?? 'unknown';

// The VRs the package knows (packages/dicom/src/vr.ts is the single source).
const vrSource = readFileSync(join(packageDir, 'src', 'vr.ts'), 'utf8');
const vrList = /export const VRS = \[([^\]]*)\]/.exec(vrSource)?.[1];
if (!vrList) fail('cannot read VRS from src/vr.ts');
const knownVrs = new Set([...vrList.matchAll(/'([A-Z]{2})'/g)].map((m) => m[1]));

// ---------------------------------------------------------------------------------------------------------
// Python literal parsing (only what these generated files use: string literals in a tuple)

const pyString = String.raw`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"`;
const pyStringRe = new RegExp(pyString, 'g');

function unquote(literal) {
  return literal.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** Parses the lines `KEY: ('a', 'b', ...),` of a Python dict literal named `name`. */
function parsePyDict(text, name, keyPattern) {
  const start = text.indexOf(`${name}`);
  if (start < 0) fail(`${name} not found`);
  const open = text.indexOf('{', start);
  const close = text.indexOf('\n}', open);
  const body = text.slice(open + 1, close);
  const lineRe = new RegExp(
    String.raw`^\s*(${keyPattern}):\s*\(((?:\s*(?:${pyString})\s*,?)*)\)\s*,?\s*(?:#.*)?$`,
  );
  const rows = [];
  for (const line of body.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const m = lineRe.exec(line);
    if (!m) fail(`cannot parse ${name} line: ${line}`);
    rows.push([m[1], (m[2].match(pyStringRe) ?? []).map(unquote)]);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------
// Data elements

/** dcmjs's VR codes that are not PS3.5 VRs. */
const DCMJS_VR = { ox: 'OB or OW', xs: 'US or SS', lt: 'US or OW', up: 'UL', na: 'NONE' };

/** @typedef {{ key: string, vr: string, vm: string, keyword: string, name: string, retired: boolean }} El */

/** @type {Map<string, El>} key: 8 upper-case hex digits, 'X' for a repeating digit. */
const pyElements = new Map();
const dictText = pyText('_dicom_dict.py');
for (const [name, keyPattern] of [
  ['DicomDictionary', '0x[0-9A-Fa-f]{8}'],
  ['RepeatersDictionary', "'[0-9A-Fa-fxX]{8}'"],
]) {
  for (const [rawKey, fields] of parsePyDict(dictText, name, keyPattern)) {
    if (fields.length !== 5) fail(`${name} ${rawKey}: expected 5 fields`);
    const [vr, vm, elName, retired, keyword] = fields;
    const key = rawKey.replace(/^0x|'/g, '').toUpperCase();
    pyElements.set(key, { key, vr, vm, keyword, name: elName, retired: retired === 'Retired' });
  }
}

const dcmjsDictionary = (await import(pathToFileURL(dcmjsDictionaryFile).href)).default;
/** @type {Map<string, El>} */
const dcmjsElements = new Map();
for (const [rawKey, e] of Object.entries(dcmjsDictionary)) {
  if (!e || !e.tag || e.version === 'PrivateTag') continue;
  let key;
  let m;
  if ((m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(rawKey))) key = m[1] + m[2];
  else if ((m = /^\(([0-9A-F]{2})00-\1FF,([0-9A-F]{4})\)$/i.exec(rawKey))) key = `${m[1]}XX${m[2]}`;
  else if ((m = /^\(([0-9A-F]{4}),([0-9A-F]{2})00-\2FF\)$/i.exec(rawKey))) key = `${m[1]}${m[2]}XX`;
  else if (/-[ou]-/.test(rawKey))
    continue; // generic group length / private creator: built into lookupTag
  else fail(`dcmjs: unexpected tag ${rawKey}`);
  key = key.toUpperCase();
  const retired = e.name.startsWith('RETIRED_') || e.version === 'DICOM/retired';
  let keyword = e.name.replace(/^RETIRED_/, '');
  if (keyword === 'undefined') keyword = '';
  const vr = DCMJS_VR[e.vr] ?? e.vr;
  dcmjsElements.set(key, { key, vr, vm: e.vm, keyword, name: '', retired });
}

/** A key's mask and value: 'X' digits are wildcards. */
function maskOf(key) {
  return {
    mask: Number.parseInt(key.replace(/[0-9A-F]/g, 'F').replace(/X/g, '0'), 16) >>> 0,
    value: Number.parseInt(key.replace(/X/g, '0'), 16) >>> 0,
  };
}
const pyRepeaters = [...pyElements.keys()]
  .filter((k) => k.includes('X'))
  .map((k) => ({ key: k, ...maskOf(k) }));

/** PS3.6-style name from a keyword, for elements only dcmjs knows (dcmjs stores keywords, not names). */
const SMALL_WORDS = new Set([
  'of',
  'in',
  'to',
  'for',
  'and',
  'or',
  'the',
  'by',
  'on',
  'at',
  'with',
  'from',
  'per',
]);
function nameFromKeyword(keyword) {
  return keyword
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(' ')
    .map((w, i) => (i > 0 && SMALL_WORDS.has(w.toLowerCase()) ? w.toLowerCase() : w))
    .join(' ')
    .replace(/\b(U?)I Ds\b/g, '$1IDs') // "IDs", "UIDs"
    .replace(/([a-z])k V /g, '$1 kV '); // "Frame kV Radiation"
}

const disagreements = [];
let elementDisagreements = 0;
/** @type {Map<string, El>} */
const elements = new Map();
for (const [key, py] of pyElements) {
  const dj = dcmjsElements.get(key);
  const el = { ...py };
  if (dj) {
    const diffs = [];
    if (dj.keyword !== py.keyword)
      diffs.push(`keyword ${py.keyword || '(none)'} (dcmjs: ${dj.keyword || '(none)'})`);
    if (dj.vr !== py.vr) diffs.push(`VR ${py.vr} (dcmjs: ${dj.vr})`);
    if (dj.vm !== py.vm) diffs.push(`VM ${py.vm} (dcmjs: ${dj.vm})`);
    if (dj.retired !== py.retired) {
      el.retired = true;
      diffs.push(`retired (${py.retired ? 'pydicom' : 'dcmjs'} says so)`);
    }
    if (diffs.length) disagreements.push(`  element ${key} ${el.keyword}: kept ${diffs.join('; ')}`);
  }
  elements.set(key, el);
}
elementDisagreements = disagreements.length;
const folded = [];
let dcmjsOnly = 0;
for (const [key, dj] of dcmjsElements) {
  if (elements.has(key)) continue;
  const tag = Number.parseInt(key.replace(/X/g, '0'), 16) >>> 0;
  const repeater = key.includes('X') ? undefined : pyRepeaters.find((r) => (tag & r.mask) >>> 0 === r.value);
  if (repeater) {
    folded.push(
      `  element ${key} ${dj.keyword}: folded into repeating ${repeater.key} ${pyElements.get(repeater.key)?.keyword}`,
    );
    continue;
  }
  dcmjsOnly++;
  elements.set(key, { ...dj, name: dj.keyword ? nameFromKeyword(dj.keyword) : '' });
}

// Validation: VRs, unique keywords, no field separator inside a field.
const byKeyword = new Map();
for (const el of elements.values()) {
  if (el.vr !== 'NONE')
    for (const vr of el.vr.split(' or ')) if (!knownVrs.has(vr)) fail(`${el.key}: unknown VR ${vr}`);
  if (!/^[0-9A-FX]{8}$/.test(el.key)) fail(`bad key ${el.key}`);
  for (const f of [el.vr, el.vm, el.keyword, el.name])
    if (f.includes('|') || f.includes('\n')) fail(`${el.key}: bad field`);
  if (!el.keyword) continue;
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(el.keyword)) fail(`${el.key}: bad keyword ${el.keyword}`);
  const other = byKeyword.get(el.keyword);
  if (other) fail(`keyword ${el.keyword} used by ${other} and ${el.key}`);
  byKeyword.set(el.keyword, el.key);
}

const sortKey = (key) => key.replace(/X/g, '0') + key;
const sortedElements = [...elements.values()].sort((a, b) => (sortKey(a.key) < sortKey(b.key) ? -1 : 1));

// ---------------------------------------------------------------------------------------------------------
// UIDs

/**
 * UIDs both sources lack (PS3.6 Table A-1; names and keywords as in upstream pydicom).
 * `storage`: a Storage SOP Class of PS3.4 Annex B.
 */
const HAND_UIDS = [
  [
    '1.2.840.10008.1.2.4.100.1',
    'Transfer Syntax',
    'MPEG2MPMLF',
    'Fragmentable MPEG2 Main Profile / Main Level',
  ],
  [
    '1.2.840.10008.1.2.4.101.1',
    'Transfer Syntax',
    'MPEG2MPHLF',
    'Fragmentable MPEG2 Main Profile / High Level',
  ],
  [
    '1.2.840.10008.1.2.4.102.1',
    'Transfer Syntax',
    'MPEG4HP41F',
    'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1',
  ],
  [
    '1.2.840.10008.1.2.4.103.1',
    'Transfer Syntax',
    'MPEG4HP41BDF',
    'Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1',
  ],
  [
    '1.2.840.10008.1.2.4.104.1',
    'Transfer Syntax',
    'MPEG4HP422DF',
    'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video',
  ],
  [
    '1.2.840.10008.1.2.4.105.1',
    'Transfer Syntax',
    'MPEG4HP423DF',
    'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video',
  ],
  [
    '1.2.840.10008.1.2.4.106.1',
    'Transfer Syntax',
    'MPEG4HP42STEREOF',
    'Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2',
  ],
  ['1.2.840.10008.1.2.4.110', 'Transfer Syntax', 'JPEGXLLossless', 'JPEG XL Lossless'],
  ['1.2.840.10008.1.2.4.111', 'Transfer Syntax', 'JPEGXLJPEGRecompression', 'JPEG XL JPEG Recompression'],
  ['1.2.840.10008.1.2.4.112', 'Transfer Syntax', 'JPEGXL', 'JPEG XL'],
  [
    '1.2.840.10008.1.2.4.201',
    'Transfer Syntax',
    'HTJ2KLossless',
    'High-Throughput JPEG 2000 Image Compression (Lossless Only)',
  ],
  [
    '1.2.840.10008.1.2.4.202',
    'Transfer Syntax',
    'HTJ2KLosslessRPCL',
    'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)',
  ],
  ['1.2.840.10008.1.2.4.203', 'Transfer Syntax', 'HTJ2K', 'High-Throughput JPEG 2000 Image Compression'],
  ['1.2.840.10008.1.2.4.204', 'Transfer Syntax', 'JPIPHTJ2KReferenced', 'JPIP HTJ2K Referenced'],
  [
    '1.2.840.10008.1.2.4.205',
    'Transfer Syntax',
    'JPIPHTJ2KReferencedDeflate',
    'JPIP HTJ2K Referenced Deflate',
  ],
  [
    '1.2.840.10008.1.2.8.1',
    'Transfer Syntax',
    'DeflatedImageFrameCompression',
    'Deflated Image Frame Compression',
  ],
  [
    '1.2.840.10008.5.1.4.1.1.6.3',
    'SOP Class',
    'PhotoacousticImageStorage',
    'Photoacoustic Image Storage',
    'storage',
  ],
  [
    '1.2.840.10008.5.1.4.1.1.9.1.4',
    'SOP Class',
    'General32bitECGWaveformStorage',
    'General 32-bit ECG Waveform Storage',
    'storage',
  ],
  [
    '1.2.840.10008.5.1.4.1.1.11.12',
    'SOP Class',
    'VariableModalityLUTSoftcopyPresentationStateStorage',
    'Variable Modality LUT Softcopy Presentation State Storage',
    'storage',
  ],
  [
    '1.2.840.10008.5.1.4.1.1.66.7',
    'SOP Class',
    'LabelMapSegmentationStorage',
    'Label Map Segmentation Storage',
    'storage',
  ],
  [
    '1.2.840.10008.5.1.4.1.1.66.8',
    'SOP Class',
    'HeightMapSegmentationStorage',
    'Height Map Segmentation Storage',
    'storage',
  ],
  [
    '1.2.840.10008.5.1.4.1.1.77.1.8',
    'SOP Class',
    'ConfocalMicroscopyImageStorage',
    'Confocal Microscopy Image Storage',
    'storage',
  ],
  [
    '1.2.840.10008.5.1.4.1.1.77.1.9',
    'SOP Class',
    'ConfocalMicroscopyTiledPyramidalImageStorage',
    'Confocal Microscopy Tiled Pyramidal Image Storage',
    'storage',
  ],
  [
    '1.2.840.10008.5.1.4.1.1.88.77',
    'SOP Class',
    'WaveformAnnotationSRStorage',
    'Waveform Annotation SR Storage',
    'storage',
  ],
  ['1.2.840.10008.5.1.4.1.1.201.1', 'SOP Class', 'InventoryStorage', 'Inventory Storage', 'storage'],
  [
    '1.2.840.10008.5.1.4.1.1.201.1.1',
    'Well-known SOP Instance',
    'StorageManagementInstance',
    'Storage Management SOP Instance',
  ],
  ['1.2.840.10008.5.1.4.1.1.201.2', 'SOP Class', 'InventoryFind', 'Inventory - FIND'],
  ['1.2.840.10008.5.1.4.1.1.201.3', 'SOP Class', 'InventoryMove', 'Inventory - MOVE'],
  ['1.2.840.10008.5.1.4.1.1.201.4', 'SOP Class', 'InventoryGet', 'Inventory - GET'],
  ['1.2.840.10008.5.1.4.1.1.201.5', 'SOP Class', 'InventoryCreation', 'Inventory Creation'],
  ['1.2.840.10008.5.1.4.1.1.201.6', 'SOP Class', 'RepositoryQuery', 'Repository Query'],
  [
    '1.2.840.10008.5.1.4.1.1.481.23',
    'SOP Class',
    'EnhancedRTImageStorage',
    'Enhanced RT Image Storage',
    'storage',
  ],
  [
    '1.2.840.10008.5.1.4.1.1.481.24',
    'SOP Class',
    'EnhancedContinuousRTImageStorage',
    'Enhanced Continuous RT Image Storage',
    'storage',
  ],
  [
    '1.2.840.10008.5.1.4.1.1.481.25',
    'SOP Class',
    'RTPatientPositionAcquisitionInstructionStorage',
    'RT Patient Position Acquisition Instruction Storage',
    'storage',
  ],
  [
    '1.2.840.10008.5.1.4.1.1.601.3',
    'SOP Class',
    'ThermographyImageStorage',
    'Thermography Image Storage',
    'storage',
  ],
  [
    '1.2.840.10008.5.1.4.1.1.601.4',
    'SOP Class',
    'ThermographyMultiFrameImageStorage',
    'Thermography Multi-frame Image Storage',
    'storage',
  ],
];

/** @typedef {{ uid: string, type: string, keyword: string, name: string, retired: boolean }} Uid */
/** @type {Map<string, Uid>} */
const uids = new Map();
for (const [rawKey, fields] of parsePyDict(pyText('_uid_dict.py'), 'UID_dictionary', pyString)) {
  if (fields.length !== 5) fail(`UID_dictionary ${rawKey}: expected 5 fields`);
  const [name, type, , retired, keyword] = fields;
  const uid = unquote(rawKey);
  uids.set(uid, { uid, type, keyword, name, retired: retired === 'Retired' });
}
const pyUidCount = uids.size;

// UIDs named in dcmjs: its transfer syntax constants, video transfer syntaxes and sopClassNamesByUID.
const dcmjsBuild = readFileSync(dcmjsBuildFile, 'utf8');
const dcmjsUids = [...new Set([...dcmjsBuild.matchAll(/"(1\.2\.840\.10008(?:\.\d+)+)"/g)].map((m) => m[1]))];
const dcmjsSopNames = new Map(
  [...dcmjsBuild.matchAll(/^\s*"(1\.2\.840\.10008(?:\.\d+)+)": "(\w+)",?$/gm)].map((m) => [m[1], m[2]]),
);

let handAdded = 0;
const storageFromHand = [];
for (const [uid, type, keyword, name, storage] of HAND_UIDS) {
  if (storage) storageFromHand.push(uid);
  const known = uids.get(uid);
  if (known) {
    if (known.keyword !== keyword || known.type !== type)
      disagreements.push(
        `  UID ${uid}: pydicom has ${known.keyword} (${known.type}); hand table says ${keyword}`,
      );
    continue; // a newer pydicom has it: keep pydicom's entry
  }
  uids.set(uid, { uid, type, keyword, name, retired: false });
  handAdded++;
}
const missingFromMerge = dcmjsUids.filter((u) => !uids.has(u));
if (missingFromMerge.length)
  fail(`UIDs named by dcmjs but unknown (add them to HAND_UIDS): ${missingFromMerge.join(', ')}`);
let shortNames = 0;
for (const [uid, short] of dcmjsSopNames) if (uids.get(uid)?.keyword !== short) shortNames++;

const byUidKeyword = new Map();
for (const u of uids.values()) {
  for (const f of [u.uid, u.type, u.keyword, u.name])
    if (f.includes('|') || f.includes('\n')) fail(`${u.uid}: bad field`);
  if (!/^[0-9]+(\.[0-9]+)*$/.test(u.uid)) fail(`bad UID ${u.uid}`);
  if (!u.keyword) continue;
  if (byUidKeyword.has(u.keyword)) fail(`UID keyword ${u.keyword} used twice`);
  byUidKeyword.set(u.keyword, u.uid);
}

// Storage SOP Classes: pydicom's generated list (PS3.4 Annex B), less the DICOMDIR class, plus HAND_UIDS.
const storageLine = /^(\w+) = UID\('([0-9.]+)'\)/gm;
let storageText = pyText('_storage_sopclass_uids.py');
if (!storageLine.test(storageText)) {
  const uidPy = pyText('uid.py');
  const marker = uidPy.indexOf('Storage SOP Class UIDs below');
  if (marker < 0) fail('cannot find the Storage SOP Class list in pydicom');
  storageText = uidPy.slice(marker);
}
storageLine.lastIndex = 0;
const storage = new Set();
for (const m of storageText.matchAll(storageLine)) {
  // Media Storage Directory Storage is the DICOMDIR (PS3.4 Annex F/I), not a C-STORE Storage SOP Class.
  if (m[1] === 'MediaStorageDirectoryStorage') continue;
  if (uids.get(m[2])?.keyword !== m[1]) fail(`storage UID ${m[1]} ${m[2]} disagrees with the UID dictionary`);
  storage.add(m[2]);
}
for (const uid of storageFromHand) storage.add(uid);
for (const uid of storage)
  if (uids.get(uid)?.type !== 'SOP Class') fail(`storage UID ${uid} is not a SOP Class`);

const compareUids = (a, b) => {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === undefined) return -1;
    if (y[i] === undefined) return 1;
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return 0;
};
const sortedUids = [...uids.values()].sort((a, b) => compareUids(a.uid, b.uid));
const sortedStorage = [...storage].sort(compareUids);

// ---------------------------------------------------------------------------------------------------------
// Output

const header = (
  what,
) => `// GENERATED FILE: do not edit. Regenerate with \`node packages/dicom/scripts/generate-dictionary.mjs\`.
//
// ${what}
// Sources: pydicom ${pydicomVersion} (Debian python3-pydicom; tables generated from PS3.6 ${dicomEdition}) and
// dcmjs ${dcmjsVersion} (npm), merged by the script above; entries that both lack are added by hand there.
//
// pydicom: Copyright (c) 2008-2018 Darcy Mason and pydicom contributors. dcmjs: Copyright (c) 2017 Steve Pieper.
// Both are MIT-licensed: Permission is hereby granted, free of charge, to any person obtaining a copy of this
// software and associated documentation files (the "Software"), to deal in the Software without restriction,
// including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or
// sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
// following conditions: The above copyright notice and this permission notice shall be included in all copies
// or substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
// EXPRESS OR IMPLIED.
`;

const quote = (s) => JSON.stringify(s);

const elementsTs = `${header('The public data elements of PS3.6 §6-§9, including repeating groups and groups 0000 and 0002.')}
/**
 * One string per element: \`GGGGEEEE|VR|VM|Keyword|Name|R\`. GGGGEEEE is upper-case hex with \`X\` for a
 * digit that repeats (e.g. \`60XX3000\` Overlay Data); VR is e.g. \`US\`, \`OB or OW\`, or \`NONE\` (items and
 * delimiters); the last field is \`R\` for retired elements, else empty.
 */
export const DATA_ELEMENTS: readonly string[] = [
${sortedElements.map((e) => `  ${quote([e.key, e.vr, e.vm, e.keyword, e.name, e.retired ? 'R' : ''].join('|'))},`).join('\n')}
];
`;

const keywordsTs = `${header('Tags by PS3.6 keyword, for every data element that has a keyword and a fixed tag.')}
/** Data element tags by PS3.6 keyword: \`Tag.PatientName === 0x00100010\`. */
export const Tag = {
${sortedElements
  .filter((e) => e.keyword && !e.key.includes('X'))
  .map((e) => `  ${e.keyword}: 0x${e.key},`)
  .join('\n')}
} as const;
`;

const uidsTs = `${header('The UIDs of PS3.6 Annex A (Table A-1 and the well-known frames of reference).')}
/** One string per UID: \`UID|Type|Keyword|Name|R\`, the last field \`R\` for retired UIDs, else empty. */
export const UIDS: readonly string[] = [
${sortedUids.map((u) => `  ${quote([u.uid, u.type, u.keyword, u.name, u.retired ? 'R' : ''].join('|'))},`).join('\n')}
];

/** Every Storage SOP Class UID (PS3.4 Annex B, Table B.5-1), current ones only. */
export const STORAGE_SOP_CLASS_UIDS: readonly string[] = [
${sortedStorage.map((u) => `  ${quote(u)}, // ${uids.get(u)?.keyword}`).join('\n')}
];
`;

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'data-elements.generated.ts'), elementsTs);
writeFileSync(join(outDir, 'keywords.generated.ts'), keywordsTs);
writeFileSync(join(outDir, 'uids.generated.ts'), uidsTs);

log(`pydicom ${pydicomVersion} (${dicomEdition}) at ${pydicomDir}; dcmjs ${dcmjsVersion}`);
log(`Disagreements resolved (pydicom's value kept unless stated):`);
for (const d of disagreements) log(d);
for (const f of folded) log(f);
const repeating = sortedElements.filter((e) => e.key.includes('X')).length;
log(
  `Data elements: ${sortedElements.length} (${repeating} repeating); pydicom ${pyElements.size}, dcmjs ${dcmjsElements.size}, ` +
    `added from dcmjs only ${dcmjsOnly}, folded into repeaters ${folded.length}, disagreements ${elementDisagreements}.`,
);
log(
  `UIDs: ${sortedUids.length}; pydicom ${pyUidCount}, named by dcmjs ${dcmjsUids.length} (all known; ${shortNames} use dcmjs's ` +
    `own short names, PS3.6 keywords kept), added by hand ${handAdded}. Storage SOP Classes: ${sortedStorage.length}.`,
);
log(`Wrote ${outDir}`);
