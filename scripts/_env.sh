# Sourced by scripts/demo and scripts/test: a virtualenv in .venv with requirements.txt installed.
# Re-installs only when requirements.txt changes. Needs only Python 3.11+ on the machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PY=$candidate; break; fi
  done
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> 创建虚拟环境 .venv（$PY）"
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> 安装依赖 requirements.txt（首次约需 2–3 分钟，请稍候）"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --progress-bar off -r requirements.txt
  echo "    依赖安装完成"
  echo "$want" > "$stamp"
else
  echo "==> 依赖已是最新，跳过安装"
fi
export PATH="$PWD/.venv/bin:$PATH"
