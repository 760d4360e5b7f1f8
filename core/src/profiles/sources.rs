//! The public material every registry fact and rule cites, as the research note
//! `registry-quirks.md` (2026-12) lists it: a tag `S1`…`S51`, where to find it, and its date.

use super::Source;

/// Every source, in tag order.
pub static SOURCES: &[Source] = &[
    Source {
        tag: "S1",
        cite: "awslabs/soci-snapshotter docs/registry.md, commit ae9ce867",
        date: "2025-12-22",
    },
    Source {
        tag: "S2",
        cite: "awslabs/soci-snapshotter issue #1828 (Docker Hub added the referrers API)",
        date: "2025-12-22",
    },
    Source {
        tag: "S3",
        cite: "docker/roadmap #724 (referrers request)",
        date: "2024-09-30",
    },
    Source {
        tag: "S4",
        cite: "docker/docs content/reference/api/registry/latest.yaml (Docker Hub registry API; PRs #22497, #22921)",
        date: "2025-06-25",
    },
    Source {
        tag: "S5",
        cite: "docker/docs content/manuals/docker-hub/repos/create.md (repository name 2-255, [a-z0-9_-])",
        date: "2025",
    },
    Source {
        tag: "S6",
        cite: "docker/docs content/manuals/docker-hub/usage/_index.md and usage/pulls.md (rate limits, GET vs HEAD)",
        date: "2025",
    },
    Source {
        tag: "S7",
        cite: "docs.docker.com engine/reference/commandline/image_tag ([NAMESPACE/]REPOSITORY on Docker Hub)",
        date: "2025",
    },
    Source {
        tag: "S8",
        cite: "docs.docker.com/registry (\"implements OCI distribution 1.0.1\", stale page)",
        date: "older",
    },
    Source {
        tag: "S9",
        cite: "sigstore/sigstore-js packages/oci/src/image.ts (002a7a07, #1057, #1058, #1095, #1183)",
        date: "2024-02-09..2024-06-11",
    },
    Source {
        tag: "S10",
        cite: "aws.amazon.com what's-new: ECR supports OCI Image and Distribution 1.1",
        date: "2024-06-27",
    },
    Source {
        tag: "S11",
        cite: "AmazonECR userguide service-quotas.html and public-service-quotas.html",
        date: "2026",
    },
    Source {
        tag: "S12",
        cite: "AWS ECR API reference (PutImage imageManifest <= 4,194,304; ImageReferrer artifactType <= 255; CreateRepository names)",
        date: "2026",
    },
    Source {
        tag: "S13",
        cite: "dotnet/sdk-container-builds #424 (LayerPartTooSmallException, parts >= 5 MB)",
        date: "2023-06",
    },
    Source {
        tag: "S14",
        cite: "openai/tart #273; jdx/mise PR #11376 (ECR PATCH answers 201)",
        date: "2026-07-27",
    },
    Source {
        tag: "S15",
        cite: "aws/containers-roadmap #2831 (ECR drops later PATCH bodies, open)",
        date: "2026-06-24",
    },
    Source {
        tag: "S16",
        cite: "aws/containers-roadmap #2783 (405 on referrer push in oras copy -r, open)",
        date: "2026-03-06",
    },
    Source {
        tag: "S17",
        cite: "docs.aws.amazon.com AmazonECR blob-mounting.html (opt-in BLOB_MOUNTING)",
        date: "2026-01-20",
    },
    Source {
        tag: "S18",
        cite: "vrabbi.cloud \"ECR is finally usable\" (create-on-push templates)",
        date: "2025-12-19",
    },
    Source {
        tag: "S19",
        cite: "google/go-containerregistry #681; genuinetools/reg #206; deitch/docker_registry2 #34 (ECR tag pages)",
        date: "2019-06..2020-04",
    },
    Source {
        tag: "S20",
        cite: "ChangemakerStudios/Docker.Registry.DotNet #34 (ECR GET lacks Docker-Content-Digest)",
        date: "2025-10-15",
    },
    Source {
        tag: "S21",
        cite: "aws/containers-roadmap #1229 (registry-API delete, shipped) and #1567 (ECR Public tag delete)",
        date: "2026",
    },
    Source {
        tag: "S22",
        cite: "actions/attest-build-provenance #71 (GitHub staff); oras-project/oras-java #773 (GHCR: no referrers API)",
        date: "2024-05-13..2026-06-30",
    },
    Source {
        tag: "S23",
        cite: "wasmCloud/wash #268; oras-project/rust-oci-client PR #37; ocx-sh/ocx PR #237 (GHCR PATCH > 4 MiB -> 416)",
        date: "2022-05-13..2026-07-26",
    },
    Source {
        tag: "S24",
        cite: "containers/skopeo #1880; sigstore/cosign #3434; okxlin/docker-mirror-monitor PR #13 (GHCR DELETE 405)",
        date: "2023..2026-08-18",
    },
    Source {
        tag: "S25",
        cite: "oras-project/oras-www remote_registries.mdx and compatible_oci_registries.mdx",
        date: "2025-09..2026-07",
    },
    Source {
        tag: "S26",
        cite: "werf/werf PRs #3654 and #3671 (GHCR tag pagination)",
        date: "2021-08",
    },
    Source {
        tag: "S27",
        cite: "CodesWhat/drydock #814 (nested index on GHCR)",
        date: "2026-08-20",
    },
    Source {
        tag: "S28",
        cite: "quay/quay at ffba0c70 (endpoints/v2, image/oci, config.py, util/names.py)",
        date: "2026-08-21",
    },
    Source {
        tag: "S29",
        cite: "opencontainers/distribution-spec PR #563 review (quay.io sends no OCI-Subject)",
        date: "2025-02",
    },
    Source {
        tag: "S30",
        cite: "opencontainers/image-spec #1025 (quay.io config types; zero-length blobs on distribution with S3)",
        date: "2023-02",
    },
    Source {
        tag: "S31",
        cite: "sylabs/singularity PR #3782 (Quay rejects Docker schema 2 with a non-image config)",
        date: "2025-08-19",
    },
    Source {
        tag: "S32",
        cite: "regclient/regclient #272 (Quay next_page pagination)",
        date: "2022-07",
    },
    Source {
        tag: "S33",
        cite: "deckhouse/deckhouse PR #10672 (Quay ALLOWED_OCI_ARTIFACT_TYPES)",
        date: "2024-11-14",
    },
    Source {
        tag: "S34",
        cite: "goharbor/harbor at c50c7ddd (subject middleware, MaxManifestBodySize, /service/token GET-only)",
        date: "2026-08-21",
    },
    Source {
        tag: "S35",
        cite: "goharbor/harbor #21018 (size-0 config blob -> 500)",
        date: "2024-10-09",
    },
    Source {
        tag: "S36",
        cite: "oras-project/oras-go at 19db72b1 (pack.go: GAR 400 on empty blob #294; :443 Location work-around #177)",
        date: "2026-07-21",
    },
    Source {
        tag: "S37",
        cite: "GitLab container-registry (fork tigrisdata/container-registry at 19ab6ea7): docs/supported-media-types.md, registry/handlers/manifests.go",
        date: "2025-12-09",
    },
    Source {
        tag: "S38",
        cite: "ocx-sh/ocx #480 (gitlab.com test table); fluxcd/flux2 #3724; moby/buildkit PR #3610 (unknown media type)",
        date: "2023-02-09..2026-09-16",
    },
    Source {
        tag: "S39",
        cite: "oras-project/oras-go #1396 (GitLab: no referrers API; sha256-<hex> tag resolves to the digest)",
        date: "2026-09-05",
    },
    Source {
        tag: "S40",
        cite: "gitlab-org/container-registry #1205, #968, #1062, #409; moby/buildkit #5561 (subject: manifest blob unknown)",
        date: "2023..2024-12-05",
    },
    Source {
        tag: "S41",
        cite: "gitlab-org/gitlab #438563 and MR !102063 (image name at most 2 levels beyond the project)",
        date: "2024",
    },
    Source {
        tag: "S42",
        cite: "distribution/distribution v2.8.3, v3.0.0, v3.1.1, main 0d6b721d; PR #4828 (referrers, open)",
        date: "2026-08-18",
    },
    Source {
        tag: "S43",
        cite: "project-zot/zot at 6d19b445 (ValidateManifest, MaxBytesReader 4 MiB since v2.1.16, pkg/compat)",
        date: "2026-08-21",
    },
    Source {
        tag: "S44",
        cite: "opencontainers/image-spec v1.1.1 schema/defs-descriptor.json (mediaType regex); sigstore/cosign #3577",
        date: "2024-03-26",
    },
    Source {
        tag: "S45",
        cite: "opencontainers/distribution-spec spec.md at 967efdc0 (name length note, tag regex, >= 4 MB manifests, OCI-Subject)",
        date: "2026-07-16",
    },
    Source {
        tag: "S46",
        cite: "Microsoft ACR docs (container-registry-skus, container-registry-concepts); Azure/acr #749, #784",
        date: "2023-01-06..2024-10-11",
    },
    Source {
        tag: "S47",
        cite: "cloud.google.com artifact-registry docs (manage-metadata, quotas); container-registry image-formats (gcr.io writes disabled)",
        date: "2025-03-18",
    },
    Source {
        tag: "S48",
        cite: "google/go-containerregistry #897 (GCR tag pagination); opencontainers/distribution-spec PR #133 (GCR rejected empty layers)",
        date: "2020-04..2021-01",
    },
    Source {
        tag: "S49",
        cite: "docker/hub-feedback #2360, #2307; oras-project/oras #666, #557, #129, #237, #738 (Docker Hub history)",
        date: "2019..2023-12",
    },
    Source {
        tag: "S50",
        cite: "regclient/regclient at 725072f6 (scheme/reg/reg.go, scheme/reg/blob.go)",
        date: "2026-07-01",
    },
    Source {
        tag: "S51",
        cite: "gadievron/raptor PR #495 (Docker Hub tags 100 per page, non-lexical)",
        date: "2026-05-15",
    },
];
