# Source this: makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests of
# Operate and Tasklist (tests/gateway/ui, driven by Playwright with executable_path).
if [ ! -x /usr/bin/chromium ]; then
  echo "ci: installing Chromium (apt-get install chromium)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
echo "ci: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium missing')"
