#!/usr/bin/env bash
# Wheels for the lent GPU machine (Python 3.12, x86-64; it reaches no registry): the packages gpkit needs that its
# image lacks (it has torch, torchvision, numpy, scipy, pandas, matplotlib, jinja2, tqdm, ...; see the device
# tool's KINDS.md). Run here, once per session that has a GPU; writes .whl/ (git-excluded), carried by the run.
# POT is pinned to 0.9.5 there (0.9.7's wheel is 33 MB; the working tree that travels is limited to 64 MiB).
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
mkdir -p .whl
PKGS=(asttokens==3.0.2 beautifulsoup4==4.15.0 bleach==6.4.0 comm==0.2.3 debugpy==1.8.22 defusedxml==0.7.1
      entrypoints==0.4.2 executing==2.3.0 fastjsonschema==2.22.3 ipykernel==7.4.0 ipython==9.18.1
      ipython-pygments-lexers==1.1.1 ipywidgets==8.1.9 jedi==0.20.1 jsonschema==4.26.0
      jsonschema-specifications==2025.9.1 jupyter-client==8.10.0 jupyter-core==5.9.1 lmdb==3.0.0
      matplotlib-inline==0.2.2 mistune==3.4.0 nbclient==0.11.0 nbconvert==7.17.2 nbformat==5.11.1
      nest-asyncio2==1.7.4 pandocfilters==1.5.1 papermill==2.7.0 parso==0.8.7 pexpect==4.9.0 platformdirs==4.14.9
      pot==0.9.5 prompt-toolkit==3.0.53 ptyprocess==0.7.0 pure-eval==0.2.4 pyzmq==27.3.0 referencing==0.37.0
      rpds-py==2026.9.1 soupsieve==4.1.3 stack-data==0.6.3 submitit==1.5.4 tenacity==9.2.1 tinycss2==1.5.1
      torch-fidelity==0.4.0 tornado==6.6.1 traitlets==5.16.1 tzdata==2026.6 wcwidth==0.9.4 webencodings==0.6.1
      widgetsnbextension==4.0.16)
PLAT=()
for n in 28 27 17 5; do PLAT+=(--platform "manylinux_2_${n}_x86_64"); done
PLAT+=(--platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform any)
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp "${PLAT[@]}" \
    -d .whl "${PKGS[@]}"
du -sh .whl
