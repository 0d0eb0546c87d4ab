#!/usr/bin/env bash
# Builds the pgvector extension for the local PostgreSQL server from Debian 13 (trixie)'s source
# package, because Debian 12 ships no pgvector package and only Debian's archive is reachable.
#
# Idempotent: when vector.control and vector.so are already installed it only makes sure the
# server is up and exits. Run as root (apt-get, make install into the server's directories).
#
# Environment overrides (all optional):
#   PG_MAJOR       PostgreSQL major version to build for (default: the cluster on PGPORT)
#   PG_CLUSTER     cluster name for pg_ctlcluster (default: the cluster on PGPORT, else "main")
#   PG_CONFIG      pg_config to build with (default: /usr/lib/postgresql/$PG_MAJOR/bin/pg_config)
#   PGHOST/PGPORT  where the server must answer (default: 127.0.0.1:5432)
#   DEBIAN_MIRROR  Debian archive URL for the trixie sources (default: the one apt already uses)
set -euo pipefail
# Without errtrace a failure inside a function would not reach the ERR trap's message.
set -o errtrace

readonly TRIXIE_SUITE=trixie
readonly DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

log() { printf 'install-pgvector: %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}
trap 'die "command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}

# The cluster that actually serves PGPORT decides the ABI the extension must be built against, so
# ask pg_lsclusters rather than trusting whichever pg_config happens to be first on PATH (Debian's
# /usr/bin/pg_config wrapper picks the newest installed server-dev, which may be another major).
detect_cluster() {
  local line=""
  if command -v pg_lsclusters >/dev/null 2>&1; then
    line=$(pg_lsclusters --no-header 2>/dev/null | awk -v port="$PGPORT" '$3 == port { print $1, $2; exit }') || line=""
  fi
  if [[ -z ${PG_MAJOR:-} ]]; then
    if [[ -n $line ]]; then
      PG_MAJOR=${line%% *}
    else
      # No cluster registered on that port: fall back to the newest server binaries installed.
      PG_MAJOR=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n 1) || PG_MAJOR=""
    fi
  fi
  [[ $PG_MAJOR =~ ^[0-9]+$ ]] || die "cannot tell the PostgreSQL major version (no cluster on port $PGPORT, nothing in /usr/lib/postgresql); set PG_MAJOR"
  if [[ -z ${PG_CLUSTER:-} ]]; then
    if [[ -n $line && ${line%% *} == "$PG_MAJOR" ]]; then PG_CLUSTER=${line#* }; else PG_CLUSTER=main; fi
  fi
}

resolve_pg_config() {
  if [[ -z ${PG_CONFIG:-} ]]; then
    if [[ -x /usr/lib/postgresql/$PG_MAJOR/bin/pg_config ]]; then
      PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
    elif command -v pg_config >/dev/null 2>&1; then
      PG_CONFIG=$(command -v pg_config)
    else
      die "no pg_config found for PostgreSQL $PG_MAJOR; install postgresql-client-$PG_MAJOR or set PG_CONFIG"
    fi
  fi
  local version
  version=$("$PG_CONFIG" --version) || die "$PG_CONFIG --version failed"
  # A pg_config of another major would install a .so the server refuses to load.
  [[ $version =~ ^PostgreSQL\ $PG_MAJOR[.\ ] ]] ||
    die "$PG_CONFIG reports '$version' but PostgreSQL $PG_MAJOR is the target; set PG_CONFIG or PG_MAJOR"
}

ensure_server_running() {
  local isready
  isready="$("$PG_CONFIG" --bindir)/pg_isready"
  [[ -x $isready ]] || isready=pg_isready
  if "$isready" -q -h "$PGHOST" -p "$PGPORT"; then
    return 0
  fi
  # A cluster that is still starting up (or shutting down) answers "status" with 0; starting it
  # again would fail with "already running", so only start when it is really down.
  if ! pg_ctlcluster "$PG_MAJOR" "$PG_CLUSTER" status >/dev/null 2>&1; then
    log "PostgreSQL $PG_MAJOR/$PG_CLUSTER is down; starting it"
    pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" "$PG_CLUSTER" start ||
      die "could not start PostgreSQL $PG_MAJOR/$PG_CLUSTER; see /var/log/postgresql/postgresql-$PG_MAJOR-$PG_CLUSTER.log"
  fi
  local _
  for _ in $(seq 1 60); do
    if "$isready" -q -h "$PGHOST" -p "$PGPORT"; then
      log "PostgreSQL is accepting connections on $PGHOST:$PGPORT"
      return 0
    fi
    sleep 0.5
  done
  die "PostgreSQL $PG_MAJOR/$PG_CLUSTER does not accept connections on $PGHOST:$PGPORT after 30 s; see /var/log/postgresql/postgresql-$PG_MAJOR-$PG_CLUSTER.log"
}

is_installed() {
  [[ -f $SHAREDIR/extension/vector.control && -f $PKGLIBDIR/vector.so ]]
}

# Reuses the mirror the machine's own bookworm sources point at, so a machine behind a local
# mirror or proxy fetches trixie's sources from the same place. Skips the security archive,
# which carries no trixie main suite.
detect_mirror() {
  if [[ -n ${DEBIAN_MIRROR:-} ]]; then
    printf '%s\n' "$DEBIAN_MIRROR"
    return 0
  fi
  local uri
  uri=$(
    {
      # deb822 (*.sources): "URIs: a b"
      awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true
      # one-line format: "deb [options] URI suite components"
      sed -E -n 's/^[[:space:]]*deb(-src)?[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\3/p' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true
    } | grep -E '/debian/?$' | grep -v -- '-security' | head -n 1
  ) || uri=""
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

install_build_dependencies() {
  local pkg missing=()
  for pkg in "postgresql-server-dev-$PG_MAJOR" build-essential dpkg-dev; do
    if [[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) != installed ]]; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    log "build dependencies already installed"
    return 0
  fi
  log "apt-get update"
  apt-get update -qq || die "apt-get update failed"
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
    die "apt-get install ${missing[*]} failed"
}

# Everything apt needs for the trixie source lookup lives under $WORK/apt: its own sources part
# dir, lists and caches. The system's sources, package lists and lock stay untouched, so binary
# installs keep coming from bookworm and a later system "apt-get update" does not drop or add
# anything because of us.
download_source() {
  local mirror aptdir srcdir
  mirror=$(detect_mirror)
  aptdir=$WORK/apt
  srcdir=$WORK/src
  mkdir -p "$aptdir/sources.list.d" "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$srcdir"
  : >"$aptdir/sources.list"
  cat >"$aptdir/sources.list.d/trixie-src.sources" <<EOF
Types: deb-src
URIs: $mirror
Suites: $TRIXIE_SUITE
Components: main
Signed-By: $DEBIAN_KEYRING
EOF
  local -a apt_opts=(
    -o "Dir::Etc::SourceList=$aptdir/sources.list"
    -o "Dir::Etc::SourceParts=$aptdir/sources.list.d"
    -o "Dir::State::Lists=$aptdir/lists"
    -o "Dir::Cache=$aptdir/cache"
  )
  # apt drops privileges to _apt for downloads; a root-only mktemp dir would make it fall back to
  # an unsandboxed download with a warning.
  if id _apt >/dev/null 2>&1; then chown -R _apt "$aptdir/lists" "$aptdir/cache" "$srcdir"; fi
  chmod 755 "$WORK"

  log "fetching Debian $TRIXIE_SUITE source index from $mirror (separate apt dir $aptdir)"
  # --error-on=any: plain "apt-get update" only warns when an index cannot be fetched, which would
  # surface later as a misleading "put some deb-src URIs in your sources.list".
  apt-get "${apt_opts[@]}" update -qq --error-on=any >&2 || die "apt-get update of the $TRIXIE_SUITE deb-src index from $mirror failed"
  log "apt-get source --download-only pgvector"
  (cd "$srcdir" && apt-get "${apt_opts[@]}" source --download-only -qq pgvector >&2) ||
    die "apt-get source pgvector from $TRIXIE_SUITE failed"
}

build_and_install() {
  local srcdir=$WORK/src tarball builddir
  tarball=$(find "$srcdir" -maxdepth 1 -name 'pgvector_*.orig.tar.*' -print -quit)
  [[ -n $tarball ]] || die "no pgvector_*.orig.tar.* in $srcdir after apt-get source"
  log "unpacking $(basename "$tarball")"
  tar -xf "$tarball" -C "$srcdir" || die "cannot unpack $tarball"
  builddir=$(find "$srcdir" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' -print -quit)
  [[ -n $builddir ]] || die "unpacking $tarball gave no pgvector-* directory"

  # pgvector defaults to -march=native; an image built on one CPU and run on another (CI farms)
  # would then die with SIGILL, so build portable code the way Debian's own package does.
  local -a make_args=(-C "$builddir" "PG_CONFIG=$PG_CONFIG" OPTFLAGS=)
  log "building $(basename "$builddir") against $("$PG_CONFIG" --version)"
  make "${make_args[@]}" -j "$(nproc)" >&2 || die "make failed in $builddir"
  log "installing into $PKGLIBDIR and $SHAREDIR/extension"
  make "${make_args[@]}" install >&2 || die "make install failed in $builddir"
}

verify_available() {
  is_installed || die "make install finished but $SHAREDIR/extension/vector.control or $PKGLIBDIR/vector.so is missing"
  local psql available
  psql="$("$PG_CONFIG" --bindir)/psql"
  [[ -x $psql ]] || psql=psql
  available=$("$psql" -X -A -t -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres \
    -c "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'") ||
    die "could not ask the server whether the vector extension is available"
  [[ -n $available ]] || die "the server does not list the vector extension after installing it"
  log "pgvector $available is available to PostgreSQL $PG_MAJOR"
}

main() {
  detect_cluster
  resolve_pg_config
  ensure_server_running
  SHAREDIR=$("$PG_CONFIG" --sharedir)
  PKGLIBDIR=$("$PG_CONFIG" --pkglibdir)
  if is_installed; then
    log "pgvector already installed in $SHAREDIR/extension; nothing to do"
    exit 0
  fi
  [[ $EUID -eq 0 ]] || die "must run as root to install packages and write to $PKGLIBDIR"

  WORK=$(mktemp -d "${TMPDIR:-/tmp}/install-pgvector.XXXXXX")
  trap 'rm -rf -- "$WORK"' EXIT
  install_build_dependencies
  download_source
  build_and_install
  verify_available
}

main "$@"
