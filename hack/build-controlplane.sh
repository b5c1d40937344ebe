#!/usr/bin/env bash
# build-controlplane.sh builds the local control plane that envtest runs:
# kube-apiserver and kubectl from k8s.io/kubernetes and etcd from
# go.etcd.io/etcd/server/v3, at the versions pinned in hack/controlplane/go.mod
# and hack/controlplane/etcd/go.mod, from source fetched through the Go module
# proxy. Binaries go to bin/k8s/<kubernetes-version>-<etcd-version>/.
#
# The only line written to stdout is the absolute path of that folder, so
# callers can do KUBEBUILDER_ASSETS=$(hack/build-controlplane.sh); build logs
# go to stderr. When the three binaries and a stamp matching the pins are
# already there, nothing is built.
#
# Environment: GO (default "go") selects the Go command.
set -euo pipefail

# Keep stdout for the result alone: everything else, including anything the
# go command prints, goes to stderr.
exec 3>&1 1>&2

log() { printf 'build-controlplane: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

GO=${GO:-go}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
k8s_mod=${root}/hack/controlplane
etcd_mod=${root}/hack/controlplane/etcd

# required_version prints the version GOMOD requires of MODULE, reading the
# file itself (no go command) so that the cached path stays instant. It accepts
# both "require M v" and a "require ( ... )" block line.
required_version() {
  local gomod=$1 module=$2 version
  version=$(awk -v m="${module}" '
    $1 == m && $2 ~ /^v/ { print $2; exit }
    $1 == "require" && $2 == m { print $3; exit }
  ' "${gomod}")
  [[ -n ${version} ]] || die "${gomod} does not require ${module}"
  printf '%s\n' "${version}"
}

k8s_version=$(required_version "${k8s_mod}/go.mod" k8s.io/kubernetes)
etcd_version=$(required_version "${etcd_mod}/go.mod" go.etcd.io/etcd/server/v3)
out=${root}/bin/k8s/${k8s_version}-${etcd_version}
binaries=(kube-apiserver kubectl etcd)

# The stamp records what the binaries were built from. go.sum is included so
# that a changed dependency set (a new replace, a bumped indirect module)
# rebuilds too, while editing comments in go.mod does not.
stamp_file=${out}/.stamp
stamp=$(
  printf 'kubernetes %s\netcd %s\n' "${k8s_version}" "${etcd_version}"
  cat "${k8s_mod}/go.sum" "${etcd_mod}/go.sum" | cksum
)

up_to_date() {
  local bin
  for bin in "${binaries[@]}"; do
    [[ -x ${out}/${bin} ]] || return 1
  done
  [[ -f ${stamp_file} && $(<"${stamp_file}") == "${stamp}" ]]
}

if up_to_date; then
  printf '%s\n' "${out}" >&3
  exit 0
fi

mkdir -p "${out}"

# Serialise concurrent runs (for example two make targets started together):
# the second waits and then finds the binaries up to date.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${out}/.lock"
  flock 9
  if up_to_date; then
    printf '%s\n' "${out}" >&3
    exit 0
  fi
fi

# Build into temporary names in the same folder and rename at the end, so an
# interrupted run never leaves a partial binary under a final name.
tmp_suffix=.tmp.$$
cleanup() {
  local bin
  for bin in "${binaries[@]}"; do
    rm -f "${out}/${bin}${tmp_suffix}"
  done
  rm -f "${stamp_file}${tmp_suffix}"
}
trap cleanup EXIT
# Turn the usual interrupts into an exit so the EXIT trap removes the files.
trap 'exit 130' INT
trap 'exit 143' TERM

# Never let a go.work or GOFLAGS from the caller change what is built, and
# never let the build rewrite the pinned go.mod/go.sum.
export GOWORK=off GOFLAGS=-mod=readonly CGO_ENABLED=0

# Version stamping mirrors upstream hack/lib/version.sh: the same variables in
# both version packages, so kube-apiserver's /version and
# "kubectl version --client" report the release instead of v0.0.0-master.
k8s_semver=${k8s_version#v}
k8s_major=${k8s_semver%%.*}
k8s_minor=${k8s_semver#*.}
k8s_minor=${k8s_minor%%.*}
# The release time of the module makes the build date reproducible.
build_date=$(cd "${k8s_mod}" &&
  "${GO}" list -m -f '{{with .Time}}{{.UTC.Format "2006-01-02T15:04:05Z"}}{{end}}' k8s.io/kubernetes)
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X ${pkg}.gitVersion=${k8s_version}"
  k8s_ldflags+=" -X ${pkg}.gitMajor=${k8s_major}"
  k8s_ldflags+=" -X ${pkg}.gitMinor=${k8s_minor}"
  if [[ -n ${build_date} ]]; then
    k8s_ldflags+=" -X ${pkg}.buildDate=${build_date}"
  fi
done
# Upstream release builds use these tags: selinux support, no test-only code,
# and no x/net/trace in grpc.
k8s_tags=selinux,notest,grpcnotrace

# build DIR NAME TAGS LDFLAGS PACKAGE builds PACKAGE inside module DIR.
build() {
  local dir=$1 name=$2 tags=$3 ldflags=$4 pkg=$5 start=${SECONDS}
  log "building ${name} from ${pkg} (module ${dir#"${root}"/})"
  (cd "${dir}" && "${GO}" build -trimpath -tags "${tags}" -ldflags "${ldflags}" \
    -o "${out}/${name}${tmp_suffix}" "${pkg}")
  log "built ${name} in $((SECONDS - start))s"
}

log "kubernetes ${k8s_version}, etcd ${etcd_version} -> ${out}"
build "${etcd_mod}" etcd "" "-s -w" go.etcd.io/etcd/server/v3
build "${k8s_mod}" kubectl "${k8s_tags}" "${k8s_ldflags}" k8s.io/kubernetes/cmd/kubectl
build "${k8s_mod}" kube-apiserver "${k8s_tags}" "${k8s_ldflags}" k8s.io/kubernetes/cmd/kube-apiserver

# Drop the stamp before replacing binaries and write it last, so a run
# interrupted between renames is rebuilt next time.
rm -f "${stamp_file}"
for bin in "${binaries[@]}"; do
  mv -f "${out}/${bin}${tmp_suffix}" "${out}/${bin}"
done
printf '%s\n' "${stamp}" >"${stamp_file}${tmp_suffix}"
mv -f "${stamp_file}${tmp_suffix}" "${stamp_file}"

printf '%s\n' "${out}" >&3
