"""The browser console in headless Chromium against the real server (`serve --demo`), in Dutch
and in English: sign in as the Almere city administrator, find the longest-waiting household
on the dashboard, run a dry run and read a pair's explanation, run a real round, accept one
proposal and reject another, open the accepted match and log an activity (a refused one shown
at its field), open the script workbench, type a script with an error and see it
marked at its line, fix it, preview, publish, roll back, sign out; then as the Almere
coordinator: their group, their current match, log an activity, sign out; sign in again, and
when the server restarts with a new signing key the console says the session ended; the
administrator chooses another city.

On every screen axe-core (tests/browser/node_modules, from `npm ci` here; injected by the
test, never served by the console) must report no violation. A household registered as
`<img src=x onerror=alert(1)>` must show as those characters, with no alert and no img
element. Nothing may be requested from another origin, and the browser console must log no
warning or error (a refused inline style or script would). Each screen's time to interactive
is printed (never asserted) and a screenshot of each screen saved.

    python tests/browser/test_console.py target/debug/samenhier [SCREENSHOT_DIR]

Needs Debian's chromium and chromium-driver, selenium (requirements.txt) and axe-core
(package.json); see .ci/run.
"""
import json
import os
import secrets
import shutil
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

HERE = Path(__file__).resolve().parent
CATALOGUES = HERE.parent.parent / "crates" / "server" / "assets" / "console" / "i18n"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
XSS = "<img src=x onerror=alert(1)>"
CITY_ADMIN = "cityadmin.almere@demo.samenhier.nl"
COORDINATOR = "coordinator.almere@demo.samenhier.nl"
ADMIN = "admin@demo.samenhier.nl"
ANALYST = "analyst@demo.samenhier.nl"
BUILDER = "builder.almere@demo.samenhier.nl"
LARGE_HOUSEHOLD = "Familie Tesfaye"

# A script with an error on line 5 (a `let` without a value), and the same script fixed.
BROKEN_SCRIPT = """fn eligible(n, g) {
    n.household_size <= g.capacity
}
fn score(n, g) {
    let bonus = ;
    #{ languages: 10.0 * overlap(n.languages, g.languages), interests: 5.0 * overlap(n.interests, g.interests) }
}
"""
FIXED_SCRIPT = BROKEN_SCRIPT.replace("let bonus = ;", "let bonus = 1.0;")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Failures(list):
    def check(self, condition, message):
        if not condition:
            self.append(message)
            print("FAIL", message, flush=True)


def graphql(base, query, variables=None, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    with urllib.request.urlopen(urllib.request.Request(base + "/graphql", data=body, headers=headers), timeout=30) as r:
        answer = json.loads(r.read())
    if answer.get("errors"):
        raise RuntimeError(f"GraphQL error: {answer['errors']}")
    return answer["data"]


def start_server(binary, tmp, port=None):
    """`serve --demo` on a port (a free one by default) with a signing key of its own, so a
    restart makes the tokens it issued invalid; returns (process, base URL, passwords by
    e-mail address)."""
    port = port or free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite://{tmp}/console.db?mode=rwc", SAMENHIER_LOG_FORMAT="json",
               RUST_LOG="warn", SAMENHIER_JWT_SECRET=secrets.token_urlsafe(48),
               # Webhook deliveries show on the webhooks screen within a second.
               SAMENHIER_NOTIFY_INTERVAL_SECS="0.3")
    server = subprocess.Popen([binary, "serve", "--demo", "--bind", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    passwords = {}
    deadline = time.time() + 120
    assert server.stdout is not None
    for line in server.stdout:
        # e.g. "  CITY_ADMIN   cityadmin.almere@demo.samenhier.nl     PASSWORD"; the GraphiQL
        # line comes after the logins.
        parts = line.split()
        if len(parts) == 3 and "@" in parts[1]:
            passwords[parts[1]] = parts[2]
        if line.strip().startswith("GraphiQL") or time.time() > deadline:
            break
    # Keep reading so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return server, base, passwords


def new_driver(downloads=None):
    options = webdriver.ChromeOptions()
    if downloads:
        options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                                  "download.prompt_for_download": False})
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    return driver


class Run:
    """One browser, one language, the whole flow."""

    def __init__(self, base, lang, password, shots, failures, timings):
        self.base, self.lang, self.password, self.shots = base, lang, password, shots
        self.failures, self.timings = failures, timings
        self.msg = json.loads((CATALOGUES / f"{lang}.json").read_text(encoding="utf-8"))
        self.downloads = tempfile.mkdtemp(prefix="console-downloads-")
        self.driver = new_driver(self.downloads)
        # Polled often: the waits also time each screen.
        # A screen draws its table again when its data arrives: an element read in between is
        # stale, which means "not yet", in every wait.
        from selenium.common.exceptions import StaleElementReferenceException
        self.wait = WebDriverWait(self.driver, 30, poll_frequency=0.02,
                                  ignored_exceptions=[StaleElementReferenceException])
        self.shot = 0
        self.step = "start"

    def text(self, key, **params):
        message = self.msg[key]
        if isinstance(message, dict):
            message = message["one"] if params.get("count") == 1 and "one" in message else message["other"]
        return re.sub(r"\{(\w+)\}", lambda m: str(params.get(m.group(1), m.group(0))), message)

    def css(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def eventually(self, condition):
        """Whether `condition` holds within the wait's time; an element drawn again while it
        was read (stale) counts as not yet."""
        from selenium.common.exceptions import StaleElementReferenceException, TimeoutException

        def check(_):
            try:
                return condition()
            except StaleElementReferenceException:
                return False
        try:
            self.wait.until(check)
            return True
        except TimeoutException:
            return False

    def until_css(self, selector):
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, selector))
        return self.css(selector)[0]

    def timed(self, screen, action, ready_selector):
        """Runs `action` and waits for the screen to be interactive; records the time."""
        start = time.perf_counter()
        action()
        self.until_css(ready_selector)
        ms = (time.perf_counter() - start) * 1000
        self.timings.append((self.lang, screen, ms))
        print(f"time to interactive: {self.lang} {screen}: {ms:.0f} ms", flush=True)

    def at(self, step):
        self.step = step
        print(f"{self.lang}: {step}", flush=True)

    def axe_and_shot(self, name):
        self.no_alert()
        self.shot += 1
        if self.shots:
            self.driver.save_screenshot(str(Path(self.shots) / f"{self.lang}-{self.shot:02d}-{name}.png"))
        if not self.driver.execute_script("return typeof window.axe !== 'undefined'"):
            self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        violations = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document).then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' — ' +"
            " v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))), e => done(['axe failed: ' + e]));")
        for v in violations:
            self.failures.check(False, f"{self.lang} {name}: axe: {v}")

    def no_alert(self):
        try:
            alert = self.driver.switch_to.alert
            self.failures.check(False, f"{self.lang}: an alert opened: {alert.text}")
            alert.dismiss()
        except NoAlertPresentException:
            pass

    def heading(self):
        return self.until_css("main h1").text

    def go_nav(self, route, screen_selector):
        """Opens a screen from the menu with the keyboard: focus the link, press Enter."""
        link = self.driver.find_element(By.CSS_SELECTOR, f"nav a[href='#/{route}']")
        self.driver.execute_script("arguments[0].focus()", link)
        self.timed(route, lambda: link.send_keys(Keys.ENTER), screen_selector)
        self.failures.check(self.driver.switch_to.active_element.tag_name == "h1",
                            f"{self.lang}: focus does not move to the new screen's heading")

    # The flow, screen by screen.

    def sign_in(self):
        d = self.driver
        self.at("sign in")
        self.timed("signin (cold load)", lambda: d.get(self.base + "/"), "[data-screen=signin][data-ready]")
        if self.lang != "nl":
            # Dutch is the default; the switch is remembered across a reload (the language only).
            self.failures.check(self.heading() == json.loads((CATALOGUES / "nl.json").read_text())["signin.title"],
                                "Dutch is not the default")
            d.find_element(By.CSS_SELECTOR, f"button[lang='{self.lang}']").click()
            self.wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == self.lang)
            d.refresh()
            self.until_css("[data-screen=signin][data-ready]")
        self.failures.check(self.heading() == self.text("signin.title"), f"{self.lang}: sign-in heading {self.heading()!r}")
        self.failures.check(d.find_element(By.TAG_NAME, "html").get_attribute("lang") == self.lang, "html lang")
        self.keyboard_reaches_the_form()
        # A wrong password is answered clearly.
        d.find_element(By.ID, "signin-email").send_keys(CITY_ADMIN)
        d.find_element(By.ID, "signin-password").send_keys("not the password at all")
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        error = self.until_css(".error-message")
        self.failures.check(error.text == self.text("error.LOGIN_FAILED"), f"{self.lang}: login error {error.text!r}")
        self.axe_and_shot("signin")
        d.find_element(By.ID, "signin-password").clear()
        d.find_element(By.ID, "signin-password").send_keys(self.password)
        self.timed("dashboard", lambda: d.find_element(By.ID, "signin-password").send_keys(Keys.ENTER),
                   "[data-screen=dashboard][data-ready]")
        self.failures.check("#" not in d.current_url.split("#/")[-1] and self.password not in d.current_url, "URL")

    def keyboard_reaches_the_form(self):
        """Tab alone goes through the skip link, the language switch and the form, each with a
        visible focus ring."""
        d = self.driver
        d.find_element(By.TAG_NAME, "body").click()
        seen = []
        for _ in range(8):
            d.switch_to.active_element.send_keys(Keys.TAB)
            focused = d.switch_to.active_element
            seen.append(focused.get_attribute("id") or focused.tag_name + ":" + (focused.text or ""))
            outline = d.execute_script(
                "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth, s.boxShadow]", focused)
            self.failures.check(outline[0] != "none" and outline[1] != "0px",
                                f"{self.lang}: no visible focus on {seen[-1]}: {outline}")
            if seen[-1] == "signin-password":
                break
        self.failures.check("signin-email" in seen and "signin-password" in seen,
                            f"{self.lang}: Tab does not reach the form: {seen}")

    def dashboard(self):
        d = self.driver
        self.at("dashboard")
        self.failures.check(self.heading() == self.text("dashboard.title"), f"{self.lang}: dashboard heading")
        rows = self.css("#waiting-table tbody tr")
        self.failures.check(len(rows) > 5, f"{self.lang}: {len(rows)} waiting households")
        days = [int(re.sub(r"\D", "", r.find_element(By.CSS_SELECTOR, ".days-waiting").text)) for r in rows]
        self.failures.check(days == sorted(days, reverse=True), f"{self.lang}: not longest first: {days}")
        longest = rows[0].find_element(By.CSS_SELECTOR, ".household-name").text
        print(f"{self.lang}: longest waiting: {longest}, {days[0]} days "
              f"({rows[0].find_element(By.CSS_SELECTOR, '.days-waiting').text})", flush=True)
        self.failures.check(rows[0].find_element(By.CSS_SELECTOR, ".days-waiting").text
                            == self.text("dashboard.days", count=days[0]), f"{self.lang}: days text")
        names = [r.find_element(By.CSS_SELECTOR, ".household-name").text for r in rows]
        self.failures.check(XSS in names, f"{self.lang}: the household {XSS!r} is not shown as text")
        self.failures.check(not self.css("main img"), f"{self.lang}: an img element was made from the data")
        self.axe_and_shot("dashboard")

    def matching(self):
        d = self.driver
        self.go_nav("matching", "[data-screen=matching] [data-proposals-ready]")
        self.failures.check(self.heading() == self.text("matching.title"), f"{self.lang}: matching heading")
        self.at("dry run")
        d.find_element(By.ID, "dry-run").click()
        self.until_css("[data-run-status=DRY_RUN]")
        pairs = self.css("#pairs-table tbody tr.pair")
        self.failures.check(len(pairs) > 0, f"{self.lang}: the dry run proposed nothing")
        first = pairs[0]
        first.find_element(By.CSS_SELECTOR, "details.why summary").click()
        parts = first.find_elements(By.CSS_SELECTOR, ".explanation tbody tr")
        explanation = [(p.find_element(By.CSS_SELECTOR, ".criterion").text, p.find_element(By.CSS_SELECTOR, ".points").text,
                        p.find_element(By.CSS_SELECTOR, ".bar").size["width"]) for p in parts]
        print(f"{self.lang}: explanation of {first.find_element(By.CSS_SELECTOR, '.household-name').text}: {explanation}",
              flush=True)
        self.failures.check(len(explanation) > 0, f"{self.lang}: no explanation")
        # The widths are set through the CSSOM under style-src 'self': a criterion with points
        # has a visible bar, wider than one with none.
        widths = [w for (_, points, w) in explanation if re.sub(r"[^1-9]", "", points)]
        self.failures.check(widths and max(widths) > 20, f"{self.lang}: bars have no width: {explanation}")
        if self.lang == "nl":
            self.failures.check(any(c == "interesses" for (c, _, _) in explanation), "criterion names are not Dutch")
        unmatched = self.css("ul.unmatched li")
        if unmatched:
            reasons = {self.text(f"matching.reason.{r}") for r in ("NO_ELIGIBLE_GROUP", "ONLY_EXCLUDED_GROUPS", "OUTNUMBERED")}
            text = unmatched[0].text
            self.failures.check(any(text.endswith(r) for r in reasons), f"{self.lang}: unmatched reason {text!r}")
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", d.find_element(By.ID, "run-title"))
        self.axe_and_shot("matching-dry-run")
        self.at("quality and fairness chart")
        totals = self.css("#quality-totals tbody tr")
        self.failures.check([r.get_attribute("data-assignment") for r in totals] == ["exact", "greedy"], f"{self.lang}: no totals chart")
        widths = [r.find_element(By.CSS_SELECTOR, ".bar").size["width"] for r in totals]
        self.failures.check(widths and widths[0] > 100 and widths[0] >= widths[1], f"{self.lang}: total bars {widths}")
        genders = self.css("#quality-byGender tbody tr")
        self.failures.check(len(genders) >= 2, f"{self.lang}: {len(genders)} gender rows")
        if self.lang == "nl":
            self.failures.check(any(r.find_element(By.TAG_NAME, "th").text == "vrouw" for r in genders), "subgroups are not in Dutch")
        below = self.css("#quality tr[data-below] .tag.warning")
        self.failures.check(all(b.text == self.text("matching.quality.below") for b in below), f"{self.lang}: below four fifths not said in words")
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", d.find_element(By.ID, "quality-title"))
        self.axe_and_shot("matching-quality")

        self.at("real round")
        before = len(self.css("#proposals-table tr.proposal"))
        d.find_element(By.ID, "real-run").click()
        self.until_css("[data-run-status=PROPOSED]")
        self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#proposals-table tr.proposal")) > before)
        proposals = self.css("#proposals-table tr.proposal")
        count = len(proposals)
        row = proposals[0]
        household = row.find_element(By.CSS_SELECTOR, ".household-name").text
        self.accepted = (household.split()[0], row.find_element(By.CSS_SELECTOR, "td").text)
        row.find_element(By.CSS_SELECTOR, ".actions .button:not(.secondary)").click()
        date_input = row.find_element(By.CSS_SELECTOR, "input[type=date]")
        self.failures.check(re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_input.get_attribute("value") or ""), "no default date")
        self.axe_and_shot("matching-accept")
        self.at("accept")
        row.find_element(By.CSS_SELECTOR, "form.decision button[type=submit]").click()
        self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#proposals-table tr.proposal")) == count - 1)
        status = self.driver.find_element(By.CSS_SELECTOR, "[data-screen=matching] > .status").text
        self.failures.check(status.startswith(self.text("matching.accepted", household=household, group="")[:10]),
                            f"{self.lang}: accepted? {status!r}")
        self.at("reject")
        # Reject the next one, with a reason.
        row = self.css("#proposals-table tr.proposal")[0]
        row.find_element(By.CSS_SELECTOR, ".actions .button.secondary").click()
        row.find_element(By.CSS_SELECTOR, "input[type=text]").send_keys("test: the group declined")
        row.find_element(By.CSS_SELECTOR, "form.decision button[type=submit]").click()
        self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#proposals-table tr.proposal")) == count - 2)

        self.at("propose by hand against the script, with a reason")
        options = self.css("#byhand-household option")
        # A pair the script finds ineligible: staff may propose it anyway, only with a reason.
        large = [o for o in self.css("#byhand-household option") if o.text == LARGE_HOUSEHOLD]
        self.failures.check(len(large) == 1, f"{self.lang}: the large household is not offered")
        ineligible = []
        if large:
            value = large[0].get_attribute("value")
            large[0].click()
            # The table of the household chosen before stays until the new answer is drawn.
            self.eventually(lambda: d.find_elements(By.CSS_SELECTOR, "#by-hand[data-recommendations-ready]")
                            and LARGE_HOUSEHOLD in d.find_element(By.CSS_SELECTOR, "#recommendations-table caption").text)
            ineligible = self.css("#recommendations-table tr.recommendation[data-eligible=false]")
        self.failures.check(len(ineligible) > 0, f"{self.lang}: no ineligible group to override: "
                            f"{d.find_element(By.ID, 'by-hand').text[:600]!r}")
        if ineligible:
            group_id = ineligible[0].get_attribute("data-group")
            ineligible[0].find_element(By.CSS_SELECTOR, "button.override").click()
            form = self.until_css(f"#override-{group_id}")
            form.find_element(By.CSS_SELECTOR, "button.override-submit").click()
            self.field_error(f"override-{group_id}-overrideReason", "overrideReason")
            self.axe_and_shot("matching-override")
            self.fill(f"override-{group_id}-overrideReason", "an interpreter was arranged")
            self.until_css(f"#override-{group_id} button.override-submit").click()
            self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#proposals-table tr.proposal")) == count - 1)
            # The household declines after all (the group is free again for the next step).
            row = [r for r in self.css("#proposals-table tr.proposal") if LARGE_HOUSEHOLD in r.text]
            self.failures.check(len(row) == 1, f"{self.lang}: the override proposal is not listed")
            if row:
                row[0].find_element(By.CSS_SELECTOR, ".actions .button.secondary").click()
                row[0].find_element(By.CSS_SELECTOR, "input[type=text]").send_keys("test: the household declined")
                row[0].find_element(By.CSS_SELECTOR, "form.decision button[type=submit]").click()
                self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#proposals-table tr.proposal")) == count - 2)

        self.at("propose by hand")
        options = self.css("#byhand-household option")
        self.failures.check(len(options) > 2 and options[0].get_attribute("value") == "", f"{self.lang}: no waiting households to choose")
        # After the round most groups are taken: the first household with a group that fits.
        eligible = []
        for i in range(1, min(len(options), 15)):
            self.css("#byhand-household option")[i].click()
            value = self.css("#byhand-household option")[i].get_attribute("value")
            self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#by-hand[data-recommendations-ready]")
                            and d.find_element(By.ID, "byhand-household").get_attribute("value") == value)
            eligible = self.css("#recommendations-table tr.recommendation[data-eligible=true]")
            if eligible:
                break
        self.failures.check(len(eligible) > 0, f"{self.lang}: no eligible group is recommended")
        scores = [float(r.find_elements(By.CSS_SELECTOR, "td")[0].text.replace(".", "").replace(",", ".")) for r in eligible]
        self.failures.check(scores == sorted(scores, reverse=True), f"{self.lang}: recommendations not best first: {scores}")
        group = eligible[0].find_element(By.CSS_SELECTOR, ".group-name").text
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", d.find_element(By.ID, "byhand-title"))
        self.axe_and_shot("matching-by-hand")
        eligible[0].find_element(By.CSS_SELECTOR, "button.propose").click()
        self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#proposals-table tr.proposal")) == count - 1)
        self.failures.check(any(r.find_element(By.CSS_SELECTOR, "td").text == group for r in self.css("#proposals-table tr.proposal")),
                            f"{self.lang}: the group proposed by hand is not among the proposals")

    def log_activity(self, screen):
        """On a match page: a refused activity is shown at its field, a good one in the timeline."""
        d = self.driver
        before = len(self.css("#timeline li.activity"))
        self.axe_and_shot(screen)
        self.at("log an activity")
        d.find_element(By.CSS_SELECTOR, "#activity-kind option[value=LANGUAGE_PRACTICE]").click()
        participants = d.find_element(By.ID, "activity-participants")
        participants.clear()
        participants.send_keys("0")
        d.find_element(By.ID, "log-activity").click()
        error = self.until_css("#activity-participants-error")
        self.failures.check(self.text("error.field", field="participants") in error.text, f"{self.lang}: {error.text!r}")
        self.failures.check(participants.get_attribute("aria-describedby") == "activity-participants-error",
                            f"{self.lang}: the error is not tied to its field")
        self.axe_and_shot(f"{screen}-error")
        participants.clear()
        participants.send_keys("3")
        d.find_element(By.ID, "activity-notes").send_keys(XSS)
        d.find_element(By.ID, "log-activity").click()
        self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#timeline li.activity")) == before + 1)
        texts = [e.text for e in self.css("#timeline li.activity")]
        self.failures.check(any(self.text("activity.LANGUAGE_PRACTICE") in x and XSS in x for x in texts),
                            f"{self.lang}: the logged activity is not in the timeline: {texts[:2]}")
        self.failures.check(not self.css("main img"), f"{self.lang}: an img element was made from the notes")

    def year(self):
        d = self.driver
        self.go_nav("matches", "[data-screen=matches][data-ready]")
        self.failures.check(self.heading() == self.text("year.title"), f"{self.lang}: matches heading")
        household, group = self.accepted
        label = self.text("dashboard.pair", household=household, group=group)
        links = [a for a in self.css("#active-matches a") if a.text == label]
        self.failures.check(len(links) == 1, f"{self.lang}: the accepted match {label!r} is not listed as active")
        self.timed("match", links[0].click, "[data-screen=match][data-ready] #log-activity")
        self.log_activity("match")
        self.match_page()

    def match_page(self):
        """On the accepted match's page: correct the activity just logged, a check-in refused
        at its fields (a network size out of range, a month not yet due), end the match early
        (a missing reason shown at its field, then a confirmation that says what happens)."""
        d = self.driver
        status = "[data-screen=match] > .status"
        self.at("correct an activity")
        self.css("#timeline li.activity .activity-correct")[0].click()
        self.fill("activity-edit-duration", "x")
        d.find_element(By.ID, "activity-edit-submit").click()
        self.field_error("activity-edit-duration", "durationMinutes")
        self.fill("activity-edit-duration", "45")
        d.find_element(By.ID, "activity-edit-submit").click()
        self.wait_status(status, self.text("year.corrected"))
        self.failures.check(self.eventually(lambda: any(self.text("year.activityFacts", minutes=45, count=3) in e.text
                                                        for e in self.css("#timeline li.activity"))),
                            f"{self.lang}: the corrected activity is not in the timeline")

        self.at("check-in refused at its fields")
        form = self.until_css("#checkin-form")
        months = [o.get_attribute("value") for o in form.find_elements(By.CSS_SELECTOR, "#checkin-month option")]
        self.failures.check(months == ["3", "6", "12"], f"{self.lang}: check-in months {months}")
        self.fill("checkin-networkSize", "5000")
        d.find_element(By.ID, "checkin-notes").send_keys(XSS)
        d.find_element(By.ID, "checkin-submit").click()
        self.field_error("checkin-networkSize", "networkSize")
        self.fill("checkin-networkSize", "12")
        d.find_element(By.ID, "checkin-submit").click()
        # The match started today: month 3 is not due yet, and the API says so at the month.
        self.field_error("checkin-month", "month")
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", d.find_element(By.ID, "checkins-title"))
        self.axe_and_shot("match-check-in")
        self.failures.check(self.until_css("#complete-hint").text.startswith(self.text("year.complete.notYet")[:12]),
                            f"{self.lang}: no completion hint")
        # Staff see the household's own view beside the group's, and who supports the match.
        months = [o.get_attribute("value") for o in self.css("#household-checkin-month option")]
        self.failures.check(months == ["3", "6", "12"], f"{self.lang}: household check-in months {months}")
        builders = [o.text for o in self.css("#support-userId option")]
        self.failures.check(BUILDER in builders, f"{self.lang}: the community builder cannot be chosen: {builders}")

        self.at("end early")
        d.find_element(By.ID, "end-match").click()
        d.find_element(By.CSS_SELECTOR, "#end-reasonCode option[value=NO_CONNECTION]").click()
        d.find_element(By.CSS_SELECTOR, "#end-side option[value=GROUP]").click()
        d.find_element(By.ID, "end-submit").click()
        confirm = self.until_css("#confirm-end")
        confirm.click()
        self.field_error("end-reason", "reason")
        self.fill("end-reason", f"test: {XSS}")
        d.find_element(By.ID, "end-submit").click()
        confirm = self.until_css("#confirm-end")
        self.failures.check(self.eventually(lambda: d.switch_to.active_element == confirm),
                            f"{self.lang}: the end confirmation does not take focus")
        self.axe_and_shot("match-end-confirm")
        confirm.click()
        self.wait.until(lambda d: d.find_element(By.ID, "match-state").get_attribute("data-status") == "ENDED_EARLY")
        ended = self.until_css("#match-ended").text
        self.failures.check(self.text("endReason.NO_CONNECTION") in ended and self.text("side.GROUP") in ended and XSS in ended,
                            f"{self.lang}: the end is not shown: {ended!r}")
        self.failures.check(not self.css("main img"), f"{self.lang}: an img element was made from the reason")
        self.axe_and_shot("match-ended")

        self.at("exit check-in")
        # After an early end, the exit check-in is open in both views; the household's is
        # recorded here.
        self.wait.until(lambda d: [o.get_attribute("value") for o in self.css("#household-checkin-month option")] == ["0"])
        months = [o.get_attribute("value") for o in self.css("#checkin-month option")]
        self.failures.check(months == ["0"], f"{self.lang}: group exit check-in months {months}")
        self.fill("household-checkin-networkSize", "3")
        d.find_element(By.ID, "household-checkin-submit").click()
        self.wait_status(status, self.text("year.checkIn.exitRecorded"))
        self.failures.check(self.eventually(lambda: self.css("#household-checkins-table tr[data-month='0']")),
                            f"{self.lang}: the exit check-in is not listed")
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", d.find_element(By.ID, "household-checkins-title"))
        self.axe_and_shot("match-exit-check-in")

    def coordinator(self, password):
        d = self.driver
        self.at("coordinator")
        d.find_element(By.ID, "signin-email").send_keys(COORDINATOR)
        d.find_element(By.ID, "signin-password").send_keys(password)
        self.timed("coordinator group", lambda: d.find_element(By.ID, "signin-password").send_keys(Keys.ENTER),
                   "[data-screen=group][data-ready]")
        self.failures.check(len(self.css("#members li")) >= 5, f"{self.lang}: the group's members are not shown")
        self.failures.check(not self.css("nav a[href='#/matching']"), f"{self.lang}: a coordinator is offered matching")
        self.axe_and_shot("coordinator")
        self.timed("coordinator match", lambda: d.find_element(By.ID, "current-match").click(),
                   "[data-screen=match][data-ready] #log-activity")
        self.log_activity("coordinator-match")
        self.failures.check(not self.css("#household-checkins-title"),
                            f"{self.lang}: the coordinator is shown the household's own answers")
        d.find_element(By.CSS_SELECTOR, ".site-header .button.secondary").click()
        self.until_css("[data-notice=signed-out]")

    def community_builder(self, password):
        """A community builder sees the matches assigned to them and records the household's
        own answers; nothing of staff's tools."""
        d = self.driver
        self.at("community builder")
        d.find_element(By.ID, "signin-email").send_keys(BUILDER)
        d.find_element(By.ID, "signin-password").send_keys(password)
        self.timed("community builder matches", lambda: d.find_element(By.ID, "signin-password").send_keys(Keys.ENTER),
                   "[data-screen=matches][data-ready]")
        links = self.css("#active-matches a")
        self.failures.check(len(links) == 3, f"{self.lang}: the community builder sees {len(links)} matches, not 3")
        self.failures.check(not self.css("nav a[href='#/matching']"), f"{self.lang}: a community builder is offered matching")
        self.axe_and_shot("builder-matches")
        self.timed("community builder match", links[0].click, "[data-screen=match][data-ready] #household-checkins-title")
        self.failures.check(not self.css("#support-form") and not self.css("#end-match"),
                            f"{self.lang}: a community builder is offered staff's tools")
        self.axe_and_shot("builder-match")
        d.find_element(By.CSS_SELECTOR, ".site-header .button.secondary").click()
        self.until_css("[data-notice=signed-out]")

    def sign_in_again(self):
        d = self.driver
        self.at("sign in again")
        d.find_element(By.ID, "signin-email").send_keys(CITY_ADMIN)
        d.find_element(By.ID, "signin-password").send_keys(self.password + Keys.ENTER)
        self.until_css("[data-screen=dashboard][data-ready]")

    def session_ended(self):
        self.at("session ended")
        self.driver.find_element(By.CSS_SELECTOR, "nav a[href='#/matching']").click()
        notice = self.until_css("[data-notice=session-ended]")
        self.failures.check(notice.text == self.text("signin.notice.session-ended"), f"{self.lang}: {notice.text!r}")
        self.failures.check(self.heading() == self.text("signin.title"), f"{self.lang}: sign-in is not shown")
        self.axe_and_shot("session-ended")

    def admin(self, password):
        """ADMIN chooses the city; the dashboard follows."""
        d = self.driver
        self.at("admin chooses a city")
        d.find_element(By.ID, "signin-email").send_keys(ADMIN)
        d.find_element(By.ID, "signin-password").send_keys(password + Keys.ENTER)
        self.until_css("[data-screen=dashboard][data-ready]")
        choice = d.find_element(By.CSS_SELECTOR, ".city-choice select")
        options = [o.get_attribute("value") for o in choice.find_elements(By.TAG_NAME, "option")]
        self.failures.check(options == ["almere", "den-haag", "haarlem", "rotterdam"], f"{self.lang}: cities {options}")
        almere = [r.text for r in self.css("#waiting-table .household-name")]
        self.timed("dashboard (another city)",
                   lambda: choice.find_element(By.CSS_SELECTOR, "option[value=haarlem]").click(),
                   "[data-screen=dashboard][data-ready] #waiting-table")
        haarlem = [r.text for r in self.css("#waiting-table .household-name")]
        self.failures.check(haarlem and haarlem != almere and XSS not in haarlem, f"{self.lang}: the city did not change")
        self.axe_and_shot("admin-dashboard")

    def analyst(self, password):
        """ANALYST: statistics and criterion outcomes as charts, the export catalogue with what
        each column means, and a download."""
        d = self.driver
        self.at("analyst")
        d.find_element(By.CSS_SELECTOR, ".site-header .button.secondary").click()
        self.until_css("[data-notice=signed-out]")
        d.find_element(By.ID, "signin-email").send_keys(ANALYST)
        self.timed("analysis", lambda: d.find_element(By.ID, "signin-password").send_keys(password + Keys.ENTER),
                   "[data-screen=analysis][data-ready] #exports[data-catalog-ready]")
        menu = [a.get_attribute("href").rsplit("#/", 1)[-1] for a in self.css("nav a")]
        self.failures.check(menu == ["analysis", "settings"], f"{self.lang}: an analyst's menu: {menu}")
        self.failures.check(self.heading() == self.text("analysis.title"), f"{self.lang}: analysis heading")
        states = self.css("#chart-states tbody tr")
        self.failures.check(len(states) == 5, f"{self.lang}: {len(states)} rows in the city's chart")
        widths = [r.find_element(By.CSS_SELECTOR, ".bar").size["width"] for r in states if r.find_elements(By.CSS_SELECTOR, ".bar")]
        self.failures.check(widths and max(widths) > 50, f"{self.lang}: the city's bars have no width: {widths}")
        outcomes = self.css("#outcomes .outcome")
        self.failures.check(len(outcomes) > 0, f"{self.lang}: no criterion outcomes")
        self.axe_and_shot("analysis")
        self.at("export catalogue and a download")
        datasets = [e.get_attribute("data-dataset") for e in self.css("#exports .dataset")]
        self.failures.check("matches" in datasets and "checkins" in datasets, f"{self.lang}: datasets {datasets}")
        matches = d.find_element(By.CSS_SELECTOR, "#exports .dataset[data-dataset=matches]")
        matches.find_element(By.CSS_SELECTOR, "details.columns summary").click()
        columns = [r.find_element(By.TAG_NAME, "th").text for r in matches.find_elements(By.CSS_SELECTOR, "details.columns tbody tr")]
        self.failures.check("match_pseudonym" in columns, f"{self.lang}: the columns of matches: {columns[:4]}")
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", d.find_element(By.ID, "exports-title"))
        self.axe_and_shot("analysis-exports")
        matches.find_element(By.CSS_SELECTOR, "button.download[data-format=csv]").click()
        self.wait.until(lambda d: d.find_element(By.ID, "export-status").text)
        files = []
        for _ in range(100):
            files = [f for f in os.listdir(self.downloads) if f.startswith("samenhier-matches-") and f.endswith(".csv")]
            if files:
                break
            time.sleep(0.05)
        self.failures.check(files and (Path(self.downloads) / files[0]).read_text(encoding="utf-8").startswith("match_pseudonym,"),
                            f"{self.lang}: the export was not downloaded: {sorted(os.listdir(self.downloads))}")

        self.at("a research extract")
        project = self.until_css("#research-projects[data-ready] article.project")
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", project)
        project.find_element(By.CSS_SELECTOR, "li[data-dataset=households] button.research-download[data-format=csv]").click()
        files = []
        for _ in range(100):
            files = [f for f in os.listdir(self.downloads) if f.startswith("research-") and f.endswith(".csv")]
            if files:
                break
            time.sleep(0.05)
        self.failures.check(files and (Path(self.downloads) / files[0]).read_text(encoding="utf-8").startswith("project_id,download_id,household_pseudonym,"),
                            f"{self.lang}: the extract was not downloaded: {sorted(os.listdir(self.downloads))}")
        self.axe_and_shot("research-extract")

        self.at("the programme report")
        report = self.until_css("#report[data-ready] #report-cities")
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", d.find_element(By.ID, "report-title"))
        rows = [r.get_attribute("data-city") for r in self.css("#report-cities tbody tr")]
        self.failures.check(rows == ["almere", "den-haag", "haarlem", "rotterdam", "all"], f"{self.lang}: report rows {rows}")
        # The cities add up to the total (every figure of the demo's cities is 5 or more, so
        # nothing is suppressed here; tests/api/report.rs covers suppression).
        def proposed(city):
            cell = d.find_element(By.CSS_SELECTOR, f"#report-cities tr[data-city='{city}'] td")
            return int(re.sub(r"\D", "", cell.text) or -1)
        self.failures.check(sum(proposed(c) for c in rows[:-1]) == proposed("all") > 0,
                            f"{self.lang}: the cities do not add up to the total: {report.text[:200]!r}")
        self.axe_and_shot("report")
        # A period that ends before it starts is refused at its field.
        self.set_value("report-to", "2020-01-01")
        d.find_element(By.ID, "report-submit").click()
        self.field_error("report-to", "to")
        self.set_value("report-to", time.strftime("%Y-%m-%d"))
        d.find_element(By.ID, "report-submit").click()
        self.until_css("#report[data-ready] #report-cities")
        self.until_css("#report-csv:not([disabled])").click()
        files = []
        for _ in range(100):
            files = [f for f in os.listdir(self.downloads) if f == "programme-report.csv"]
            if files:
                break
            time.sleep(0.05)
        self.failures.check(files and (Path(self.downloads) / files[0]).read_text(encoding="utf-8").startswith("city,figure,key,value"),
                            f"{self.lang}: the report was not downloaded: {sorted(os.listdir(self.downloads))}")

    def workbench(self):
        d = self.driver
        self.go_nav("scripts", "[data-screen=scripts][data-ready] #history-table")
        self.failures.check(self.heading() == self.text("workbench.title"), f"{self.lang}: workbench heading")
        self.until_css("#script-problems.ok")
        # The script language is coloured: keywords, function names, strings and comments each
        # drawn in their own class behind the editor, holding exactly the editor's text.
        keywords = {e.text for e in self.css(".editor .highlight .tok-keyword")}
        self.failures.check({"fn", "if", "return"} <= keywords, f"{self.lang}: keywords not coloured: {sorted(keywords)[:10]}")
        self.failures.check(self.css(".editor .highlight .tok-comment") and self.css(".editor .highlight .tok-string"),
                            f"{self.lang}: comments or strings are not coloured")
        copy = d.execute_script("return document.querySelector('.editor .highlight').textContent")
        source = d.execute_script("return document.getElementById('script-source').value")
        self.failures.check(copy.rstrip(" ") == source, f"{self.lang}: the coloured copy differs from the editor's text")
        active_before = self.css("#history-table tr.active-version")[0].get_attribute("data-version")
        versions_before = len(self.css("#history-table tbody tr"))
        # The script guide beside the editor: every field of n and g and the helpers, with
        # their meaning in the page's language.
        guide = [e.get_attribute("data-name") for e in self.css("#script-guide .guide-entry")]
        self.failures.check("n.waiting_days" in guide and "g.capacity" in guide and "overlap" in guide,
                            f"{self.lang}: the script guide lacks entries: {guide}")
        meaning = d.find_element(By.CSS_SELECTOR, "#guide-newcomer .guide-entry[data-name='n.household_size'] dd").text
        self.failures.check(meaning.startswith(self.text("guide.n.household_size")), f"{self.lang}: guide text {meaning!r}")
        self.axe_and_shot("workbench")
        self.at("type a broken script")
        area = d.find_element(By.ID, "script-source")
        area.send_keys(Keys.CONTROL, "a")
        area.send_keys(Keys.DELETE)
        area.send_keys(BROKEN_SCRIPT)
        self.until_css(".gutter .line.error[data-line='5']")
        problem = self.until_css("#script-problems .problem[data-line='5']")
        self.failures.check(self.text("workbench.at", line=5, column="")[:8] in problem.text,
                            f"{self.lang}: problem text {problem.text!r}")
        self.failures.check(len(self.css(".gutter .line.error")) == 1, f"{self.lang}: more than one line marked")
        self.failures.check(not d.find_element(By.ID, "publish-button").is_enabled(), "a broken script can be published")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", problem)
        self.axe_and_shot("workbench-error")
        area.send_keys(Keys.CONTROL, "a")
        area.send_keys(Keys.DELETE)
        self.at("fix it")
        area.send_keys(FIXED_SCRIPT)
        self.until_css("#script-problems.ok")
        self.failures.check(not self.css(".gutter .line.error"), f"{self.lang}: the error mark stayed")
        self.at("preview")
        d.find_element(By.ID, "preview-button").click()
        preview = self.until_css("#preview")
        print(f"{self.lang}: preview: {preview.find_element(By.CSS_SELECTOR, '.preview-changed').text}", flush=True)
        self.axe_and_shot("workbench-preview")
        self.at("publish")
        d.find_element(By.ID, "publish-note").send_keys(f"browser test ({self.lang})")
        d.find_element(By.ID, "publish-button").click()
        self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#history-table tbody tr")) == versions_before + 1)
        published = self.css("#history-table tr.active-version")[0].get_attribute("data-version")
        self.failures.check(published != active_before, f"{self.lang}: the new version is not active")
        self.at("difference between two versions")
        # By default the newest version against the one before: the fix adds the `let` line.
        summary = self.until_css("#diff-summary").text
        added = [r.find_element(By.CSS_SELECTOR, ".diff-text").text for r in self.css("#diff-table tr.diff-added")]
        removed = len(self.css("#diff-table tr.diff-removed"))
        self.failures.check(summary == self.text("workbench.diff.summary", added=len(added), removed=removed,
                                                 **{"from": active_before, "to": published}),
                            f"{self.lang}: diff summary {summary!r}")
        self.failures.check(any("let bonus = 1.0;" in a for a in added), f"{self.lang}: the added line is not shown: {added[:5]}")
        # The same version on both sides: no difference.
        d.find_element(By.CSS_SELECTOR, f"#diff-from option[value='{published}']").click()
        self.wait_status("#diff-summary", self.text("workbench.diff.same", **{"from": published, "to": published}))
        d.find_element(By.CSS_SELECTOR, f"#diff-from option[value='{active_before}']").click()
        self.until_css("#diff-table")
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", d.find_element(By.ID, "diff-title"))
        self.axe_and_shot("workbench-diff")
        self.at("roll back")
        # Roll back to the version that was active, after the confirmation.
        row = self.css(f"#history-table tr[data-version='{active_before}']")[0]
        row.find_element(By.CSS_SELECTOR, "button").click()
        confirm = self.until_css("#confirm-activate")
        # Focus moves once the confirmation is drawn: read it when it has settled.
        self.failures.check(self.eventually(lambda: d.switch_to.active_element == confirm), f"{self.lang}: the confirmation does not take focus")
        self.axe_and_shot("workbench-rollback")
        confirm.click()
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#history-table tr.active-version[data-version='{active_before}']"))

    # Groups and households.

    def fill(self, element_id, text):
        field = self.driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(text)

    def set_value(self, element_id, value):
        """A date input's value as the page sees it (typing a date depends on the locale)."""
        self.driver.execute_script(
            "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
            "e.dispatchEvent(new Event('input', {bubbles: true}));", element_id, value)

    def status_text(self, selector):
        return self.until_css(selector).text

    def wait_status(self, selector, text):
        self.wait.until(lambda d: text in (d.find_element(By.CSS_SELECTOR, selector).text or ""))

    def api_token(self):
        return graphql(self.base, "mutation($e:String!,$p:String!){login(email:$e,password:$p){token}}",
                       {"e": CITY_ADMIN, "p": self.password})["login"]["token"]

    def field_error(self, element_id, field):
        """The refused value is named at its field and tied to it."""
        error = self.until_css(f"#{element_id}-error")
        self.failures.check(self.text("error.field", field=field) in error.text, f"{self.lang}: {element_id}: {error.text!r}")
        described = self.driver.find_element(By.ID, element_id).get_attribute("aria-describedby") or ""
        self.failures.check(f"{element_id}-error" in described.split(), f"{self.lang}: {element_id} error not tied: {described!r}")

    def households(self):
        d = self.driver
        self.go_nav("households", "[data-screen=households][data-ready] #households-table")
        self.failures.check(self.heading() == self.text("households.title"), f"{self.lang}: households heading")
        self.at("households: search, filter, sort, page")
        rows = self.css("#households-table tbody tr")
        total_text = self.css(".pager-text")[0].text
        self.failures.check(len(rows) == 20, f"{self.lang}: {len(rows)} households on the first page ({total_text})")
        self.axe_and_shot("households")
        self.fill("households-search", "onerror")
        self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#households-table tbody tr")) <= 1)
        names = [e.text for e in self.css("#households-table .household-name")]
        # The XSS household was registered last: it is on a later page, so search the last.
        self.fill("households-search", "")
        d.find_element(By.CSS_SELECTOR, "#households-status option[value=WAITING]").click()
        self.wait.until(lambda d: all(r.get_attribute("data-status") == "WAITING" for r in d.find_elements(By.CSS_SELECTOR, "#households-table tbody tr")))
        pages = 1
        while d.find_element(By.ID, "households-next").is_enabled() and pages < 20:
            text = self.css(".pager-text")[0].text
            d.find_element(By.ID, "households-next").click()
            self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-screen=households][data-ready] .pager-text")
                            and d.find_element(By.CSS_SELECTOR, ".pager-text").text != text)
            pages += 1
        self.failures.check(pages > 1, f"{self.lang}: the waiting households fit one page; paging is not tried")
        self.failures.check(self.text("list.page", page=pages, shown="", total="")[:6] in self.css(".pager-text")[0].text,
                            f"{self.lang}: pager text {self.css('.pager-text')[0].text!r}")
        self.fill("households-search", "onerror")
        self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#households-table tbody tr")) <= 1)
        names = [e.text for e in self.css("#households-table .household-name")]
        self.failures.check(names == [XSS], f"{self.lang}: search on the last page gives {names}")
        self.failures.check(not self.css("main img"), f"{self.lang}: an img element was made from the data")
        self.fill("households-search", "")
        d.find_element(By.CSS_SELECTOR, "#households-sort option[value=size]").click()
        sizes = [int(re.sub(r"\D", "", r.find_elements(By.CSS_SELECTOR, "td")[1].text) or 0) for r in self.css("#households-table tbody tr")]
        self.failures.check(sizes == sorted(sizes, reverse=True), f"{self.lang}: not sorted by size: {sizes}")
        d.find_element(By.ID, "households-previous").click()

        self.at("register a household")
        self.timed("household form", lambda: d.find_element(By.ID, "new-household").click(), "[data-screen=household-new][data-ready]")
        name = f"Test Huishouden {self.lang}"
        self.fill("household-new-name", name)
        self.fill("household-new-birthYear", "2020")
        self.fill("household-new-countryOfOrigin", "sy")
        self.fill("household-new-languages", "ar:NATIVE, en:BASIC")
        self.fill("household-new-interests", "cooking, football")
        self.fill("household-new-childrenAges", "9, 4")
        self.set_value("household-new-arrivalDate", "2026-02-01")
        d.find_element(By.ID, "household-new-goal-WORK").click()
        d.find_element(By.ID, "household-new-submit").click()
        self.field_error("household-new-birthYear", "birthYear")
        self.axe_and_shot("household-form-error")
        self.fill("household-new-birthYear", "1990")
        self.timed("household page", lambda: d.find_element(By.ID, "household-new-submit").click(),
                   "[data-screen=household-detail][data-ready] #household-facts")
        self.failures.check(self.heading() == name, f"{self.lang}: household page heading {self.heading()!r}")
        newcomer_id = d.current_url.rsplit("/", 1)[-1]
        self.axe_and_shot("household")

        self.at("edit a household; a change meanwhile is a conflict")
        d.find_element(By.ID, "edit-household").click()
        self.fill("household-edit-neighbourhood", "Stad")
        graphql(self.base, "mutation($id: ID!){ updateNewcomer(id: $id, input: {neighbourhood: \"Elders\"}) { id } }",
                {"id": newcomer_id}, self.api_token())
        d.find_element(By.ID, "household-edit-submit").click()
        conflict = self.until_css(".error-message.conflict")
        self.failures.check(self.text("error.CONFLICT") in conflict.text, f"{self.lang}: conflict {conflict.text!r}")
        self.axe_and_shot("household-conflict")
        conflict.find_element(By.TAG_NAME, "button").click()
        self.wait.until(lambda d: "Elders" in d.find_element(By.ID, "household-facts").text)
        d.find_element(By.ID, "edit-household").click()
        self.fill("household-edit-neighbourhood", "Stad")
        d.find_element(By.ID, "household-edit-submit").click()
        self.wait_status("#household-status", self.text("households.saved"))
        self.failures.check(self.eventually(lambda: "Stad" in d.find_element(By.ID, "household-facts").text),
                            f"{self.lang}: the edit is not shown")

        self.at("research consent: given, then withdrawn")
        given = d.find_element(By.ID, "household-research-consent")
        self.failures.check(given.get_attribute("data-given") == "false", f"{self.lang}: a new household has research consent")
        d.find_element(By.ID, "research-consent-household").click()
        # An empty version (set as the page sees it: clearing a field fires no input event).
        self.set_value("research-consent-version", "")
        d.find_element(By.ID, "confirm-research-consent").click()
        self.field_error("research-consent-version", "version")
        self.fill("research-consent-version", "research-2026-01")
        d.find_element(By.ID, "confirm-research-consent").click()
        self.wait_status("#household-status", self.text("households.researchConsentSaved"))
        self.wait.until(lambda d: d.find_element(By.ID, "household-research-consent").get_attribute("data-given") == "true")
        self.failures.check("research-2026-01" in d.find_element(By.ID, "household-research-consent").text,
                            f"{self.lang}: the consent's version is not shown")
        self.axe_and_shot("household-research-consent")
        d.find_element(By.ID, "research-withdraw-household").click()
        self.until_css("#confirm-research-withdraw").click()
        self.wait_status("#household-status", self.text("households.researchWithdrawn"))
        self.wait.until(lambda d: d.find_element(By.ID, "household-research-consent").get_attribute("data-given") == "false")

        self.at("personal-data report")
        d.find_element(By.ID, "report-household").click()
        confirm = self.until_css("#confirm-report")
        # Focus moves once the confirmation is drawn: read it when it has settled.
        self.failures.check(self.eventually(lambda: d.switch_to.active_element == confirm), f"{self.lang}: the report confirmation does not take focus")
        self.failures.check(name in d.find_element(By.ID, "confirm-report-text").text, f"{self.lang}: the confirmation names no one")
        self.axe_and_shot("household-report-confirm")
        confirm.click()
        link = self.until_css("#report-download")
        href = link.get_attribute("href")
        self.failures.check(link.get_attribute("download") == f"personal-data-{newcomer_id}.json", f"{self.lang}: download name")
        prefix = "data:application/json;charset=utf-8,"
        report = json.loads(urllib.parse.unquote(href[len(prefix):])) if href.startswith(prefix) else None
        self.failures.check(report is not None and name in json.dumps(report, ensure_ascii=False),
                            f"{self.lang}: the report does not hold the household")
        link.click()
        downloaded = Path(self.downloads) / f"personal-data-{newcomer_id}.json"
        for _ in range(100):
            if downloaded.exists():
                break
            time.sleep(0.05)
        self.failures.check(downloaded.exists() and name in downloaded.read_text(encoding="utf-8"),
                            f"{self.lang}: the report was not downloaded: {sorted(os.listdir(self.downloads))}")

        self.at("erase a household")
        d.find_element(By.ID, "erase-household").click()
        confirm = self.until_css("#confirm-erase")
        self.failures.check(name in d.find_element(By.ID, "confirm-erase-text").text, f"{self.lang}: the erase confirmation names no one")
        self.axe_and_shot("household-erase-confirm")
        confirm.click()
        self.wait.until(lambda d: d.find_element(By.ID, "household-state").get_attribute("data-status") == "WITHDRAWN"
                        and self.heading() == self.text("common.erased"))

    def groups(self):
        d = self.driver
        self.go_nav("groups", "[data-screen=groups][data-ready] #groups-table")
        self.failures.check(self.heading() == self.text("groups.title"), f"{self.lang}: groups heading")
        self.at("groups: filter, sort")
        d.find_element(By.CSS_SELECTOR, "#groups-status option[value=READY]").click()
        only_ready = self.eventually(lambda: d.find_elements(By.CSS_SELECTOR, "[data-screen=groups][data-ready] #groups-table tbody tr") and all(
            r.get_attribute("data-status") == "READY" for r in d.find_elements(By.CSS_SELECTOR, "#groups-table tbody tr")))
        self.failures.check(only_ready, f"{self.lang}: the status filter shows other groups")
        d.find_element(By.CSS_SELECTOR, "#groups-sort option[value=members]").click()

        def member_counts():
            return [int(r.find_elements(By.CSS_SELECTOR, "td")[2].text) for r in self.css("#groups-table tbody tr")]

        # The table is drawn again after the choice: read it once it has settled.
        sorted_ok = self.eventually(lambda: (c := member_counts()) == sorted(c, reverse=True))
        self.failures.check(sorted_ok, f"{self.lang}: not sorted by members")
        self.axe_and_shot("groups")

        self.at("register a group")
        self.timed("group form", lambda: d.find_element(By.ID, "new-group").click(), "[data-screen=group-new][data-ready]")
        group = f"Testgroep {self.lang} {XSS}"
        self.fill("group-new-name", group)
        self.fill("group-new-capacity", "0")
        self.fill("group-new-languages", "nl, en")
        d.find_element(By.ID, "group-new-submit").click()
        self.field_error("group-new-capacity", "capacity")
        self.axe_and_shot("group-form-error")
        self.fill("group-new-capacity", "4")
        self.timed("group page", lambda: d.find_element(By.ID, "group-new-submit").click(),
                   "[data-screen=group-detail][data-ready] #group-facts")
        self.failures.check(self.heading() == group, f"{self.lang}: group heading {self.heading()!r}")
        self.failures.check(not self.css("main img"), f"{self.lang}: an img element was made from the group's name")
        group_id = d.current_url.rsplit("/", 1)[-1]

        self.at("add members")
        self.fill("member-add-name", "Lid Een")
        self.fill("member-add-email", "not an address")
        self.fill("member-add-birthYear", "1980")
        d.find_element(By.ID, "member-add-isCoordinator").click()
        d.find_element(By.ID, "member-add-submit").click()
        self.field_error("member-add-email", "email")
        self.axe_and_shot("group-member-error")
        for i in range(1, 7):
            if i > 1:
                self.fill("member-add-name", f"Lid {i}")
                self.fill("member-add-birthYear", str(1970 + i))
            self.fill("member-add-email", f"lid{i}.{self.lang}@example.org")
            # Every member brings a certificate of conduct (VOG): screening asks for it.
            self.set_value("member-add-vogReceivedOn", "2026-03-01")
            d.find_element(By.ID, "member-add-submit").click()
            self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#members-table tbody tr")) == i)
        members = self.css("#members-table tbody tr")
        self.failures.check("coordinator" in members[0].get_attribute("class"), f"{self.lang}: the first member is not the coordinator")

        self.at("edit a member")
        members[1].find_element(By.CSS_SELECTOR, ".member-edit").click()
        self.until_css("#member-edit-form")
        self.set_value("member-edit-vogReceivedOn", "2026-03-02")
        self.fill("member-edit-sector", "healthcare")
        self.axe_and_shot("group-member-edit")
        d.find_element(By.ID, "member-edit-submit").click()
        self.wait_status("#group-status", self.text("member.saved", name="Lid 2"))
        # The status comes first, the group's reloaded answer just after.
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#members-table tbody tr")[1].find_elements(
            By.CSS_SELECTOR, "td")[2].text != self.text("groups.noVog"))
        row = self.css("#members-table tbody tr")[1]
        self.failures.check("2026" in row.find_elements(By.CSS_SELECTOR, "td")[2].text,
                            f"{self.lang}: the certificate date is not shown: {row.text!r}")

        self.at("a member's research consent")
        self.css("#members-table tbody tr")[1].find_element(By.CSS_SELECTOR, ".member-research-consent").click()
        self.until_css("#confirm-member-research").click()
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#members-table tbody tr")[1].find_element(
            By.CSS_SELECTOR, "td.member-research").get_attribute("data-given") == "true")
        self.failures.check(self.css("#members-table tbody tr")[0].find_element(By.CSS_SELECTOR, "td.member-research").get_attribute("data-given") == "false",
                            f"{self.lang}: consent was recorded for another member")

        self.at("hand over coordination")
        self.css("#members-table tbody tr")[1].find_element(By.CSS_SELECTOR, ".member-handover").click()
        confirm = self.until_css("#confirm-handover")
        self.failures.check("Lid 2" in d.find_element(By.ID, "confirm-handover-text").text, f"{self.lang}: hand-over confirmation")
        confirm.click()
        self.wait.until(lambda d: "coordinator" in (d.find_elements(By.CSS_SELECTOR, "#members-table tbody tr")[1].get_attribute("class") or "")
                        and "coordinator" not in (d.find_elements(By.CSS_SELECTOR, "#members-table tbody tr")[0].get_attribute("class") or ""))

        self.at("remove a member")
        self.css("#members-table tbody tr")[5].find_element(By.CSS_SELECTOR, ".member-remove").click()
        self.until_css("#confirm-remove").click()
        self.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#members-table tbody tr")) == 5)

        self.at("screening before ready")
        # The group's page says what screening still lacks; marking ready is refused until the
        # intake and the preparation meeting are recorded.
        missing = self.until_css("#group-missing").text
        self.failures.check(self.text("missing.INTAKE_CONVERSATION") in missing and self.text("missing.PREPARATION_MEETING") in missing,
                            f"{self.lang}: what the group lacks: {missing!r}")
        d.find_element(By.ID, "mark-ready").click()
        self.until_css("#group-action-error")
        self.axe_and_shot("group-screening")
        d.find_element(By.ID, "edit-group").click()
        self.set_value("group-edit-intakeHeldOn", "2026-03-05")
        self.set_value("group-edit-preparationAttendedOn", "2026-03-12")
        d.find_element(By.ID, "group-edit-submit").click()
        self.wait_status("#group-status", self.text("groups.saved"))
        self.at("mark ready")
        self.until_css("#mark-ready").click()
        self.wait.until(lambda d: d.find_element(By.ID, "group-state").get_attribute("data-status") == "READY")

        self.at("erase a member's data")
        self.css("#members-table tbody tr")[4].find_element(By.CSS_SELECTOR, ".member-erase").click()
        confirm = self.until_css("#confirm-erase-member")
        self.failures.check("Lid 5" in d.find_element(By.ID, "confirm-erase-member-text").text, f"{self.lang}: erase confirmation")
        self.axe_and_shot("group-member-erase")
        confirm.click()
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#members-table tbody tr")[4].find_element(
            By.CSS_SELECTOR, ".member-name").text == self.text("common.erased"))

        self.at("edit a group; a change meanwhile is a conflict")
        d.find_element(By.ID, "edit-group").click()
        self.fill("group-edit-neighbourhood", "Centrum")
        graphql(self.base, "mutation($id: ID!){ updateWelcomeGroup(id: $id, input: {neighbourhood: \"Haven\"}) { id } }",
                {"id": group_id}, self.api_token())
        d.find_element(By.ID, "group-edit-submit").click()
        conflict = self.until_css(".error-message.conflict")
        self.failures.check(self.text("error.CONFLICT") in conflict.text, f"{self.lang}: conflict {conflict.text!r}")
        conflict.find_element(By.TAG_NAME, "button").click()
        self.wait.until(lambda d: "Haven" in d.find_element(By.ID, "group-facts").text)
        self.axe_and_shot("group")

        self.at("withdraw a group")
        d.find_element(By.ID, "withdraw-group").click()
        d.find_element(By.ID, "confirm-withdraw").click()
        self.field_error("withdraw-reason", "reason")
        self.fill("withdraw-reason", "test: the group stops")
        d.find_element(By.ID, "confirm-withdraw").click()
        self.wait.until(lambda d: d.find_element(By.ID, "group-state").get_attribute("data-status") == "WITHDRAWN")
        self.failures.check("test: the group stops" in d.find_element(By.ID, "group-facts").text, f"{self.lang}: no reason shown")

    def users(self):
        """Accounts: invite (a refused address at its field, then a link to hand over), disable
        and enable, a password link, change a role."""
        d = self.driver
        self.go_nav("users", "[data-screen=users][data-ready] #users-table")
        self.failures.check(self.heading() == self.text("users.title"), f"{self.lang}: users heading")
        self.at("invite someone")
        self.fill("invite-email", "not an address")
        d.find_element(By.CSS_SELECTOR, "#invite-role option[value=PARTNER]").click()
        d.find_element(By.ID, "invite-submit").click()
        self.field_error("invite-email", "email")
        self.axe_and_shot("users-invite-error")
        self.invited = f"nieuw.{self.lang}@example.org"
        self.fill("invite-email", self.invited)
        d.find_element(By.ID, "invite-submit").click()
        link = self.until_css("#handover-link").get_attribute("value")
        self.failures.check(link.startswith(self.base + "/#/invitation/"), f"{self.lang}: invitation link {link!r}")
        self.invitation_link = link
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#users-table tr[data-email='{self.invited}']"))
        row = self.css(f"#users-table tr[data-email='{self.invited}']")[0]
        self.failures.check(row.find_element(By.CSS_SELECTOR, ".user-state").text == self.text("users.state.invited"),
                            f"{self.lang}: the invitation is not pending: {row.text!r}")
        self.axe_and_shot("users")

        self.at("disable and enable an account")
        partner = "partner.almere@demo.samenhier.nl"
        self.css(f"#users-table tr[data-email='{partner}'] .user-disable")[0].click()
        confirm = self.until_css("#confirm-user")
        self.failures.check(partner in d.find_element(By.ID, "confirm-user-text").text, f"{self.lang}: the confirmation names no one")
        confirm.click()
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#users-table tr[data-email='{partner}'][data-disabled]"))
        self.css(f"#users-table tr[data-email='{partner}'] .user-enable")[0].click()
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#users-table tr[data-email='{partner}'] .user-disable"))
        self.wait_status("#users-status", self.text("users.enabled", email=partner))

        self.at("a password link")
        self.css(f"#users-table tr[data-email='{partner}'] .user-reset")[0].click()
        self.until_css("#confirm-user").click()
        self.wait.until(lambda d: d.find_elements(By.ID, "handover-link")
                        and d.find_element(By.ID, "handover-link").get_attribute("value") != link)

        self.at("change a role")
        self.css(f"#users-table tr[data-email='{self.invited}'] .user-role-change")[0].click()
        self.until_css("#role-form")
        d.find_element(By.CSS_SELECTOR, "#role-role option[value=CITY_ADMIN]").click()
        self.axe_and_shot("users-role")
        d.find_element(By.ID, "role-submit").click()
        self.wait_status("#users-status", self.text("users.roleChanged", email=self.invited))
        self.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, f"#users-table tr[data-email='{self.invited}'] .user-role").text.startswith(
            self.text("role.CITY_ADMIN")))

    def notification_settings(self):
        """Notifications: the language of one's e-mails and, per kind, at once / digest / off."""
        d = self.driver
        self.at("notification settings")
        self.go_nav("settings", "[data-screen=settings][data-ready] #settings-table")
        self.failures.check(self.heading() == self.text("settings.title"), f"{self.lang}: settings heading")
        rows = [r.get_attribute("data-kind") for r in self.css("#settings-table tbody tr")]
        self.failures.check("MATCHES_PROPOSED" in rows and "CHECK_IN_OVERDUE" in rows, f"{self.lang}: kinds {rows}")
        d.find_element(By.ID, "mode-MATCH_ACCEPTED-DIGEST").click()
        d.find_element(By.ID, "mode-SCRIPT_PUBLISHED-OFF").click()
        d.find_element(By.CSS_SELECTOR, f"#settings-language option[value={self.lang}]").click()
        self.axe_and_shot("settings")
        d.find_element(By.ID, "settings-submit").click()
        self.wait_status("#settings-status", self.text("settings.saved"))
        saved = graphql(self.base, "{ myNotificationSettings { language preferences { kind delivery } } }", token=self.api_token())
        modes = {p["kind"]: p["delivery"] for p in saved["myNotificationSettings"]["preferences"]}
        self.failures.check(saved["myNotificationSettings"]["language"] == self.lang
                            and modes.get("MATCH_ACCEPTED") == "DIGEST" and modes.get("SCRIPT_PUBLISHED") == "OFF"
                            and modes.get("MATCHES_PROPOSED") == "IMMEDIATE", f"{self.lang}: saved settings {saved}")

    def export_policy(self):
        """ADMIN: the demo's adopted export policy; a proposal with gender kept by hand (a k
        out of range refused at its field first), its preview, adopted; the catalogue names it."""
        d = self.driver
        self.at("export policy")
        self.go_nav("analysis", "[data-screen=analysis][data-ready] #exports[data-catalog-ready]")
        adopted = self.until_css("#export-policies article.policy[data-state=ADOPTED]")
        first = adopted.get_attribute("data-version")
        self.failures.check(first in d.find_element(By.ID, "exports-policy").text, f"{self.lang}: the catalogue does not name policy {first}")
        self.fill("policy-k", "1")
        d.find_element(By.ID, "policy-propose").click()
        self.field_error("policy-k", "k")
        self.fill("policy-k", "5")
        self.fill("policy-maxWithheld", "30")
        d.find_element(By.CSS_SELECTOR, "#policy-keep-gender option[value='0']").click()
        d.find_element(By.ID, "policy-propose").click()
        proposed = self.until_css("#export-policies article.policy[data-state=PROPOSED]")
        version = proposed.get_attribute("data-version")
        self.wait_status("#policy-status", self.text("policy.proposed", version=version))
        gender = proposed.find_element(By.CSS_SELECTOR, "tr[data-column=gender] td").text
        self.failures.check(gender == self.text("policy.levelName.gender.0"), f"{self.lang}: gender kept by hand shows {gender!r}")
        rows = proposed.find_elements(By.CSS_SELECTOR, f"#policy-{version}-preview tbody tr")
        datasets = len(self.css("#exports .dataset"))
        self.failures.check(len(rows) == datasets > 0, f"{self.lang}: the preview has {len(rows)} datasets, the catalogue {datasets}")
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", proposed)
        self.axe_and_shot("export-policy-proposed")
        d.find_element(By.ID, f"policy-{version}-adopt").click()
        self.until_css(f"#policy-{version}-confirm").click()
        self.wait_status("#policy-status", self.text("policy.adopted", version=version))
        self.until_css(f"#export-policies article.policy[data-version='{version}'][data-state=ADOPTED]")
        self.until_css(f"#export-policies article.policy[data-version='{first}'][data-state=RETIRED]")
        self.wait.until(lambda d: f" {version} " in d.find_element(By.ID, "exports-policy").text)
        self.axe_and_shot("export-policy-adopted")

        self.at("register a research project")
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", self.until_css("#research-projects[data-ready] #project-form"))
        self.fill("project-name", "Criteria and outcomes")
        self.fill("project-agreementReference", "DSA-2026-014")
        self.fill("project-purpose", "Relate the matching criteria to the check-in outcomes.")
        self.set_value("project-endsOn", time.strftime("%Y-12-31", time.localtime(time.time() + 366 * 86400)))
        self.until_css(f"#project-researchers input[data-email='{ANALYST}']").click()
        d.find_element(By.ID, "project-submit").click()
        # No dataset approved: refused at the datasets.
        self.until_css("#project-datasets-error")
        d.find_element(By.ID, "project-dataset-households").click()
        d.find_element(By.ID, "project-dataset-matches").click()
        d.find_element(By.ID, "project-submit").click()
        self.wait_status("#research-status", self.text("research.registered", name="Criteria and outcomes"))
        project = self.until_css("#research-projects article.project")
        self.failures.check(ANALYST in project.text, f"{self.lang}: the project does not name its researcher")
        self.axe_and_shot("research-project")

    def webhooks(self, city_admin_password):
        """ADMIN registers a partner app's endpoint (a refused address at its field), sees the
        secret once, sees a delivery arrive, sends it again, pauses and removes the endpoint."""
        d = self.driver
        self.at("webhooks")
        receiver = HookReceiver()
        try:
            self.go_nav("webhooks", "[data-screen=webhooks][data-ready] #webhook-form")
            self.failures.check(self.heading() == self.text("webhooks.title"), f"{self.lang}: webhooks heading")
            self.fill("webhook-url", "ftp://partner.example/hooks")
            d.find_element(By.ID, "webhook-submit").click()
            self.field_error("webhook-url", "url")
            self.axe_and_shot("webhooks-error")
            self.fill("webhook-url", receiver.url)
            d.find_element(By.ID, "webhook-kind-SCRIPT_PUBLISHED").click()
            d.find_element(By.ID, "webhook-submit").click()
            secret = self.until_css("#webhook-secret-value").get_attribute("value")
            self.failures.check(secret.startswith("whsec_"), f"{self.lang}: secret {secret!r}")
            self.until_css("#endpoints-table tr[data-endpoint]")
            # Something happens: the Almere administrator publishes the active script again.
            token = graphql(self.base, "mutation($e:String!,$p:String!){login(email:$e,password:$p){token}}",
                            {"e": CITY_ADMIN, "p": city_admin_password})["login"]["token"]
            source = graphql(self.base, '{ city(slug:"almere"){ activeScript { source } } }', token=token)["city"]["activeScript"]["source"]
            graphql(self.base, 'mutation($s:String!){ publishScoringScript(citySlug:"almere", source:$s){ version } }', {"s": source}, token=token)
            self.failures.check(self.eventually(lambda: len(receiver.received) == 1), f"{self.lang}: no delivery arrived")
            self.failures.check(receiver.received and receiver.received[0][1]["type"] == "SCRIPT_PUBLISHED", f"{self.lang}: {receiver.received}")
            # The log shows it sent (the screen loads it again when asked).
            d.find_element(By.CSS_SELECTOR, "#deliveries-status option[value=SENT]").click()

            def sent_row():
                rows = self.css("#deliveries[data-ready] #deliveries-table tr[data-status=SENT]")
                if not rows and self.css("#deliveries[data-ready]"):
                    d.find_element(By.ID, "deliveries-reload").click()
                return rows
            self.failures.check(self.eventually(sent_row), f"{self.lang}: no sent delivery is listed")
            row = self.css("#deliveries-table tr[data-status=SENT]")[0]
            self.failures.check(self.text("delivery.SENT") in row.text, f"{self.lang}: delivery row {row.text!r}")
            self.axe_and_shot("webhooks")
            row.find_element(By.CSS_SELECTOR, ".delivery-again").click()
            self.wait_status("#deliveries-message", self.text("webhooks.again", kind=self.text("kind.SCRIPT_PUBLISHED")))
            self.failures.check(self.eventually(lambda: len(receiver.received) == 2), f"{self.lang}: the redelivery did not arrive")
            self.failures.check(len({r[0] for r in receiver.received}) == 1, f"{self.lang}: a redelivery keeps its event id")
            # Pause, then remove after a confirmation that names it.
            self.css("#endpoints-table .endpoint-pause")[0].click()
            self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#endpoints-table tr[data-active=false]"))
            self.css("#endpoints-table .endpoint-delete")[0].click()
            confirm = self.until_css("#confirm-webhook")
            self.failures.check(receiver.url in d.find_element(By.ID, "confirm-webhook-text").text, f"{self.lang}: the confirmation names no endpoint")
            confirm.click()
            self.until_css("#endpoints-empty")
        finally:
            receiver.close()

    def invitation(self):
        """The invited person opens the link, chooses a password and is signed in."""
        d = self.driver
        self.at("accept an invitation")
        self.timed("invitation", lambda: d.get(self.invitation_link), "[data-screen=invitation][data-ready]")
        self.failures.check(self.heading() == self.text("invitation.title"), f"{self.lang}: invitation heading")
        self.fill("invitation-password", "kort")
        self.fill("invitation-repeat", "anders")
        d.find_element(By.ID, "invitation-submit").click()
        error = self.until_css("#invitation-repeat-error")
        self.failures.check(error.text == self.text("error.MISMATCH"), f"{self.lang}: {error.text!r}")
        self.fill("invitation-repeat", "kort")
        d.find_element(By.ID, "invitation-submit").click()
        self.field_error("invitation-password", "password")
        self.axe_and_shot("invitation")
        password = "een lang wachtwoord 2026"
        self.fill("invitation-password", password)
        self.fill("invitation-repeat", password)
        self.timed("invitation accepted", lambda: d.find_element(By.ID, "invitation-submit").click(),
                   "[data-screen=dashboard][data-ready]")
        self.failures.check(self.invited in d.find_element(By.CSS_SELECTOR, ".user-email").text, f"{self.lang}: not signed in as the invited")
        self.failures.check("invitation" not in d.current_url, f"{self.lang}: the link stays in the address: {d.current_url}")
        d.find_element(By.CSS_SELECTOR, ".site-header .button.secondary").click()
        self.until_css("[data-notice=signed-out]")

    def sign_out(self):
        d = self.driver
        self.at("sign out")
        d.find_element(By.CSS_SELECTOR, ".site-header .button.secondary").click()
        notice = self.until_css("[data-notice=signed-out]")
        self.failures.check(notice.text == self.text("signin.notice.signed-out"), f"{self.lang}: sign-out notice")
        # The token is forgotten: going back to a screen shows sign-in, and nothing but the
        # language was ever stored.
        d.back()
        self.until_css("[data-screen=signin]")
        stored = d.execute_script("return [Object.keys(localStorage), Object.keys(sessionStorage), document.cookie]")
        self.failures.check(stored == [["samenhier.console.language"], [], ""], f"{self.lang}: stored: {stored}")

    def finish(self):
        d = self.driver
        origins = d.execute_script("return performance.getEntriesByType('resource').map(e => new URL(e.name).origin)")
        foreign = sorted({o for o in origins if o != self.base})
        self.failures.check(not foreign, f"{self.lang}: requests to other origins: {foreign}")
        for e in d.get_log("browser"):
            if e.get("level") in ("SEVERE", "WARNING"):
                self.failures.check(False, f"{self.lang}: console {e['level']}: {e['message'][:300]}")
        d.quit()
        shutil.rmtree(self.downloads, ignore_errors=True)


def register_xss_household(base, password):
    token = graphql(base, "mutation($e:String!,$p:String!){login(email:$e,password:$p){token}}",
                    {"e": CITY_ADMIN, "p": password})["login"]["token"]
    graphql(base, "mutation($i: RegisterNewcomerInput!){ registerNewcomer(input: $i) { id } }", {"i": {
        "citySlug": "almere", "name": XSS, "preferredName": XSS, "birthYear": 1990, "gender": "FEMALE",
        "countryOfOrigin": "SY", "languages": [{"code": "ar", "level": "NATIVE"}], "dutchLevel": "A1",
        "interests": ["cooking"], "goals": ["WORK"], "householdAdults": 1, "childrenAges": [],
        "arrivalDate": "2026-01-10"}}, token)
    # A household larger than any group can take: the script finds every pair ineligible, so
    # staff can only propose it by hand against the script, with a reason.
    graphql(base, "mutation($i: RegisterNewcomerInput!){ registerNewcomer(input: $i) { id } }", {"i": {
        "citySlug": "almere", "name": LARGE_HOUSEHOLD, "birthYear": 1985, "gender": "MALE",
        "countryOfOrigin": "ER", "languages": [{"code": "ti", "level": "NATIVE"}, {"code": "nl", "level": "BASIC"}],
        "dutchLevel": "A0", "interests": ["cooking"], "goals": ["LANGUAGE"], "householdAdults": 2,
        "childrenAges": [1, 3, 5, 7, 9, 11, 13], "arrivalDate": "2026-02-10"}}, token)


class HookReceiver:
    """A partner app's webhook receiver on loopback: answers 204 and counts the POSTs by event."""

    def __init__(self):
        import http.server
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                received.append((self.headers.get("webhook-id"), json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def main(binary, shots):
    if not AXE.exists():
        print(f"axe-core is missing: run `npm ci` in {HERE}")
        return 1
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        # The folder holds this run's pictures only.
        for old in Path(shots).glob("*.png"):
            old.unlink()
    failures = Failures()
    timings = []
    nl = json.loads((CATALOGUES / "nl.json").read_text(encoding="utf-8"))
    en = json.loads((CATALOGUES / "en.json").read_text(encoding="utf-8"))
    failures.check(set(nl) == set(en), f"the catalogues differ: {sorted(set(nl) ^ set(en))}")
    passed = 0
    for lang in ("nl", "en"):
        # A server of its own for each language: the Dutch run's round and decisions would
        # leave the English run's dry run with fewer free groups.
        before = len(failures)
        with tempfile.TemporaryDirectory() as tmp:
            server, base, passwords = start_server(binary, tmp)
            try:
                if CITY_ADMIN not in passwords or COORDINATOR not in passwords:
                    failures.check(False, f"{lang}: the server printed no demo passwords: {sorted(passwords)}")
                    continue
                register_xss_household(base, passwords[CITY_ADMIN])
                run = Run(base, lang, passwords[CITY_ADMIN], shots, failures, timings)
                try:
                    run.sign_in()
                    run.dashboard()
                    run.matching()
                    run.year()
                    run.workbench()
                    run.households()
                    run.groups()
                    run.users()
                    run.notification_settings()
                    run.sign_out()
                    run.coordinator(passwords[COORDINATOR])
                    run.community_builder(passwords[BUILDER])
                    run.invitation()
                    run.sign_in_again()
                    # The server restarts with a new signing key: the console's token is no
                    # longer accepted, and the console says the session ended.
                    server.terminate()
                    server.wait(timeout=40)
                    server, _, passwords = start_server(binary, tmp, port=int(base.rsplit(":", 1)[1]))
                    run.session_ended()
                    run.admin(passwords[ADMIN])
                    run.export_policy()
                    run.webhooks(passwords[CITY_ADMIN])
                    run.analyst(passwords[ANALYST])
                except Exception as e:  # noqa: BLE001 - report the step, go on with the other language
                    failures.check(False, f"{lang}: {run.step}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
                    if shots:
                        run.driver.save_screenshot(str(Path(shots) / f"{lang}-failed.png"))
                    print(run.driver.find_element(By.TAG_NAME, "main").text[:3000])
                finally:
                    run.finish()
            finally:
                server.terminate()
                server.wait(timeout=40)
        passed += 1 if len(failures) == before else 0
    print("time to interactive (ms): " + ", ".join(f"{lang} {screen} {ms:.0f}" for lang, screen, ms in timings))
    # One flow per language: the closing line counts them.
    print(f"console: {passed} passed, {2 - passed} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    default_shots = str(HERE / "screenshots")
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "target/debug/samenhier",
                  sys.argv[2] if len(sys.argv) > 2 else default_shots))
