#!/usr/bin/env bash
# Compiles the Quartz benchmark peer against Debian's jars.
#
#   bench/quartz/build.sh OUTDIR     # prints the runtime classpath on stdout
#
# Needs javac and the Debian packages libquartz2-java, libmariadb-java,
# libc3p0-java and libslf4j-java; installs the missing ones with apt-get
# when run as root. Progress goes to stderr.
set -euo pipefail

out=${1:?usage: build.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
jars=/usr/share/java
need=(quartz2.jar mariadb-java-client.jar c3p0.jar slf4j-api.jar slf4j-nop.jar)
pkgs=(libquartz2-java libmariadb-java libc3p0-java libslf4j-java)

missing=0
for j in "${need[@]}"; do [ -f "$jars/$j" ] || missing=1; done
command -v javac >/dev/null 2>&1 || missing=1
if [ "$missing" = 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "build.sh: missing javac or jars (${need[*]}); install: apt-get install -y default-jdk-headless ${pkgs[*]}" >&2
		exit 1
	fi
	echo "build.sh: installing ${pkgs[*]} with apt-get" >&2
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jdk-headless "${pkgs[@]}" >&2
fi
for j in "${need[@]}"; do
	[ -f "$jars/$j" ] || { echo "build.sh: $jars/$j still missing after install" >&2; exit 1; }
done

cp=""
for j in "${need[@]}"; do cp="$cp:$jars/$j"; done
cp=${cp#:}
mkdir -p "$out"
javac -nowarn -d "$out" -cp "$cp" "$here/QuartzBench.java" >&2
echo "$out:$cp"
