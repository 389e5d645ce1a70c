#!/bin/sh
# Rebuilds the playground's assets from the npm packages pinned in
# package-lock.json (go generate ./server/playground/). Without Node.js it
# leaves the committed assets as they are, so that go generate still works
# for the Go code on such a machine; CI has Node and checks they are current.
set -eu
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	if [ "${CI:-}" = "true" ]; then
		echo "playground: Node.js and npm are needed to check the playground's assets" >&2
		exit 1
	fi
	echo "playground: Node.js not found; server/playground/assets left as committed" >&2
	exit 0
fi
if ! npm ls --all >/dev/null 2>&1; then
	npm ci --no-audit --no-fund --silent
fi
node build.mjs
