# The 3scale operator. `make help` lists the targets.
SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec
.DEFAULT_GOAL := help

# Tools pinned in go.mod (`tool` directives) run through `go tool`: nothing is installed ad hoc.
CONTROLLER_GEN := go tool controller-gen
# The local control plane (kube-apiserver, etcd, kubectl) is built from source by hack/, once per
# pinned version; this expands to the folder that holds the binaries.
ENVTEST_ASSETS = $(shell hack/build-controlplane.sh)
GO_TEST_FLAGS ?= -race -count=1
THREESCALE_API_DESCRIPTIONS ?= $(abspath ../shared/3scale-api)

# The operator's version and image, set here and nowhere else: `make build` stamps VERSION into the
# binary (pkg/version; its Default equals this value, a test checks it), `make image` labels the
# image with it, and `make bundle` writes IMG into config/manager's kustomization and the CSV
# (containerImage, deployment, relatedImages, spec.version, olm.skipRange). REPLACES names the
# release this one upgrades from (the CSV's spec.replaces); empty for the first one. pkg/version
# holds both values too (Default, Previous; a test keeps them equal): change them together.
VERSION ?= 0.1.0
IMAGE_TAG_BASE ?= quay.io/threescale-oss/3scale-operator
IMG ?= $(IMAGE_TAG_BASE):v$(VERSION)
REPLACES ?=
LDFLAGS := -X github.com/threescale-oss/operator/pkg/version.Version=$(VERSION)

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  %-22s %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: generate
generate: ## Generate deepcopy code for the API types.
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths="./api/..."

.PHONY: manifests
manifests: ## Generate CRDs and RBAC from the API types and controller markers.
	$(CONTROLLER_GEN) crd rbac:roleName=manager-role paths="./api/..." paths="./controllers/..." paths="./" \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac

.PHONY: bundle
bundle: manifests ## Generate the OLM bundle under bundle/ from config/, for VERSION and IMG (also written to config/manager).
	go run ./hack/gen-bundle -version $(VERSION) -image $(IMG) -replaces "$(REPLACES)"

.PHONY: verify-gen
verify-gen: ## Fail when generated files (deepcopy, CRDs, RBAC, bundle) are stale.
	@hack/verify-gen.sh

.PHONY: fmt
fmt: ## gofmt the code.
	gofmt -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## go vet the code.
	go vet ./...

##@ Local control plane

.PHONY: controlplane
controlplane: ## Build kube-apiserver, etcd and kubectl from source into bin/ (cached).
	@hack/build-controlplane.sh

.PHONY: print-envtest-assets
print-envtest-assets: ## Print the folder that holds kube-apiserver, etcd and kubectl (building them first if needed).
	@echo "$(ENVTEST_ASSETS)"

##@ Test

.PHONY: test
test: verify-gen vet ## Run every test (unit, contract, envtest integration) with the race detector.
	KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" THREESCALE_API_DESCRIPTIONS="$(THREESCALE_API_DESCRIPTIONS)" \
		go test $(GO_TEST_FLAGS) ./...

##@ Run

DEMO_ARGS ?=
IMAGE_VERSION ?= $(VERSION)
.PHONY: image
image: ## Build the operator image (static binary, CA certificates, non-root user, OCI labels) into bin/threescale-operator-image.tar, an OCI archive, without a container engine.
	SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct) go run ./hack/image --output bin/threescale-operator-image.tar --version $(IMAGE_VERSION) --revision $$(git rev-parse HEAD)

.PHONY: demo
demo: build ## The main job on a local default: control plane + in-memory 3scale + operator + sample CRs (DEMO_ARGS=--keep keeps it running).
	KUBEBUILDER_ASSETS="$(ENVTEST_ASSETS)" go run ./hack/demo $(DEMO_ARGS)

##@ Build

.PHONY: build
build: ## Build the operator binary into bin/manager, and the kubectl plugin into bin/kubectl-threescale.
	go build -ldflags "$(LDFLAGS)" -o bin/manager .
	go build -o bin/kubectl-threescale ./cmd/kubectl-threescale
