"""GraphiQL in headless Chromium against the real server, with nothing but loopback: the page
renders from the binary's own assets under its Content-Security-Policy, opens with the
samenhier example, loads the schema into the Docs explorer through its fetcher, logs nothing
to the console, and requests nothing from another origin.

    python tests/browser/test_graphiql.py target/debug/samenhier

Needs Debian's chromium and chromium-driver, and selenium (see .ci/run).
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(binary: str) -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DATABASE_URL=f"sqlite://{tmp}/g.db?mode=rwc", SAMENHIER_INTROSPECTION="true",
                   SAMENHIER_LOG_FORMAT="json", RUST_LOG="warn")
        server = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            return drive(base)
        finally:
            server.terminate()
            server.wait(timeout=30)


def drive(base: str) -> int:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    failures = []
    try:
        driver.set_page_load_timeout(30)
        driver.get(base + "/graphql")
        wait = WebDriverWait(driver, 30)
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".graphiql-container")))
        # The example is in the query editor.
        wait.until(lambda d: "mutation Login" in d.find_element(By.CSS_SELECTOR, ".graphiql-query-editor").text)
        # The Docs explorer shows the schema, loaded by introspection through GraphiQL's fetcher.
        driver.find_element(By.CSS_SELECTOR, "button[aria-label='Show Documentation Explorer']").click()
        wait.until(lambda d: "Query" in d.find_element(By.CSS_SELECTOR, ".graphiql-doc-explorer").text)
        origins = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).origin)")
        foreign = sorted({o for o in origins if o != base})
        if foreign:
            failures.append(f"requests to other origins: {foreign}")
        logs = [e for e in driver.get_log("browser") if e.get("level") in ("SEVERE", "WARNING")]
        for e in logs:
            failures.append(f"console {e['level']}: {e['message'][:300]}")
    finally:
        driver.quit()
    for f in failures:
        print("FAIL", f)
    print("graphiql: ok" if not failures else f"graphiql: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "target/debug/samenhier"))
