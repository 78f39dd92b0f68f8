#!/usr/bin/env bash
# Provides what the tests need on a fresh Debian machine: DICOM peers and fixtures from Debian's
# packages, and a running PostgreSQL with a `lightbox` role. Prints the PostgreSQL URL to use.
# Installs only when run as root with apt; otherwise fails naming what is missing.
set -euo pipefail

log() { printf '%s\n' "$*" >&2; }

# command-or-file : Debian package
peers=(
  "dcmdump:dcmtk"
  "openssl:openssl"
  "dciodvfy:dicom3tools"
  "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm:python3-pydicom"
  "/usr/lib/python3/dist-packages/numpy/__init__.py:python3-numpy"
  "opj_decompress:libopenjp2-tools"
  "ojph_compress:openjph-tools"
  "/usr/sbin/Orthanc:orthanc"
  "/usr/share/orthanc/plugins/libOrthancDicomWeb.so:orthanc-dicomweb"
  "chromium:chromium"
  "pdftotext:poppler-utils"
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core"
  "mllp_send:python3-hl7"
  "/usr/lib/python3/dist-packages/odil/__init__.py:python3-odil"
  "/usr/bin/odil:odil"
  "gdcmscu:libgdcm-tools"
  "/usr/share/java/pixelmed.jar:libpixelmed-java"
  "javac:default-jdk-headless"
)

missing=()
for peer in "${peers[@]}"; do
  what=${peer%%:*} pkg=${peer##*:}
  if [[ $what == /* ]]; then [[ -e $what ]] || missing+=("$pkg"); else command -v "$what" >/dev/null || missing+=("$pkg"); fi
done
command -v pg_ctlcluster >/dev/null || command -v pg_isready >/dev/null || missing+=(postgresql)

if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing test peers from Debian: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || log "apt-get update failed; trying the install anyway"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    log "MISSING test peers: ${missing[*]} (install them with apt-get, or run this as root)"
    exit 1
  fi
fi

# OHIF, the open-source web viewer, as a third-party DICOMweb client of Lightbox (its prebuilt app from the
# npm registry, pinned and checked against the registry's integrity; kept out of the dependencies so that
# `npm install` stays lean). Unpacked under node_modules/.cache, which `npm ci` clears.
repo=$(cd "$(dirname "$0")/.." && pwd)
ohif_version=3.13.2
ohif_integrity=sha512-WZdxmpmG7rqFgW9ZJLcbgr3XCtLi1KDNPoMaeY5PPe6j4G4fjEjjkycZM6C6Zk2F87BKxFfpq+jd5xXZB9E8EA==
ohif_dir=$repo/node_modules/.cache/lightbox-test-peers/ohif-app-$ohif_version
if [[ ! -f $ohif_dir/dist/index.html ]]; then
  log "fetching OHIF $ohif_version (@ohif/app) from the npm registry"
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent "@ohif/app@$ohif_version" >/dev/null) || { log "could not fetch @ohif/app@$ohif_version"; exit 1; }
  tarball=$(ls "$work"/*.tgz)
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  [[ $actual == "$ohif_integrity" ]] || { log "@ohif/app@$ohif_version does not match its pinned integrity"; exit 1; }
  rm -rf "$ohif_dir" && mkdir -p "$ohif_dir"
  tar -xzf "$tarball" -C "$ohif_dir" --strip-components=1
  rm -rf "$work"
fi

# PostgreSQL: start the cluster if it is not accepting connections.
pg_url=${LIGHTBOX_TEST_POSTGRES_URL:-postgres://lightbox:lightbox@127.0.0.1:5432/postgres}
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null && [[ $(id -u) -eq 0 ]]; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    log "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || pg_ctlcluster "$version" main start >&2
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || { log "PostgreSQL is not running on 127.0.0.1:5432 and could not be started"; exit 1; }
fi
# A password role for the tests, created through the local superuser (never initdb as root).
if [[ -z ${LIGHTBOX_TEST_POSTGRES_URL:-} ]]; then
  as_postgres=(psql -q -h 127.0.0.1 -U postgres -d postgres)
  if [[ $(id -u) -eq 0 ]] && command -v runuser >/dev/null; then as_postgres=(runuser -u postgres -- psql -q -d postgres); fi
  "${as_postgres[@]}" -v ON_ERROR_STOP=1 >&2 <<'SQL' || { log "could not create the PostgreSQL role lightbox"; exit 1; }
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lightbox') THEN
    CREATE ROLE lightbox LOGIN SUPERUSER PASSWORD 'lightbox';
  END IF;
END $$;
SQL
fi
printf '%s\n' "$pg_url"
