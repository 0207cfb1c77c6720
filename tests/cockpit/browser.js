/*
 * node browser.js: drives Debian's chromium (puppeteer-core) through
 * pvabi's Cockpit page for tests/cockpit/cockpit.sh, which starts the
 * servers and judges what this writes to $OUT (JSON).  The steps that need
 * the shell (pvctl) run here too, so that the page's answer to them can be
 * timed.
 *
 * Environment: CHROMIUM (the browser), URL (the page in a privileged
 * session), URL_DENIED (the same page in an unprivileged one), VM (a VM
 * to act on), BAD_VERSIONS (a range pvctld refuses), PVCTL (with
 * PVCTL_BUS_ADDRESS set), SHOT (the screenshot), OUT.
 */
"use strict";

const fs = require("fs");
const { execFile, spawn } = require("child_process");
const puppeteer = require("puppeteer-core");

const env = process.env;
const result = {};
const log = (...a) => console.error("#", ...a);

function pvctl(...args) {
    return new Promise((resolve) => {
        execFile(env.PVCTL, args, (err, stdout, stderr) =>
            resolve({ rc: err ? (err.code || 1) : 0, stdout, stderr }));
    });
}

const row = (vm) => `#vms tbody tr[data-vm="${vm}"]`;

/* dbus-monitor on the test's bus: resolves, once it listens, to a function
 * that gives when (ms since the epoch, the monitor's own stamp) the first
 * PropertiesChanged of a VM object crossed the bus, or null. */
function watchSignals() {
    const mon = spawn("dbus-monitor", ["--address", env.PVCTL_BUS_ADDRESS,
        "type='signal',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',path_namespace='/org/pvabi/pvctl1'"]);
    let at = null;
    let text = "";
    return new Promise(resolve => {
        mon.stdout.on("data", d => {
            text += d.toString();
            const m = /^signal time=([0-9.]+) .*member=PropertiesChanged/m.exec(text);
            if (m && at === null)
                at = Math.round(parseFloat(m[1]) * 1000);
            resolve(() => { mon.kill(); return at });
        });
    });
}

async function cellText(page, vm, cls) {
    return page.$eval(`${row(vm)} td.${cls}`, el => el.textContent);
}

async function waitCell(page, vm, cls, text, timeout) {
    await page.waitForFunction((sel, want) => {
        const el = document.querySelector(sel);
        return el && el.textContent === want;
    }, { polling: "mutation", timeout: timeout || 10000 }, `${row(vm)} td.${cls}`, text);
}

async function alertText(page) {
    await page.waitForSelector("#alert:not([hidden])", { timeout: 10000 });
    return page.$eval("#alert", el => el.textContent);
}

async function open(browser, url) {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 640 });
    page.on("console", m => log("console:", m.type(), m.text()));
    page.on("pageerror", e => { log("page error:", e.message); (result.page_errors ||= []).push(e.message) });
    await page.goto(url, { waitUntil: "load" });
    await page.waitForSelector('#vms[data-loaded="true"]', { timeout: 20000 });
    return page;
}

async function main() {
    const browser = await puppeteer.launch({
        executablePath: env.CHROMIUM,
        headless: true,
        /* root (CI) needs --no-sandbox; /dev/shm may be small in a
         * container. */
        args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    try {
        const page = await open(browser, env.URL);
        const vm = env.VM;

        /* The list: every VM pvctld serves, a row each. */
        await page.waitForSelector(row(vm), { timeout: 10000 });
        result.listed = await page.$$eval("#vms tbody tr", rows => rows.map(r => r.dataset.vm));
        /* What a guest negotiated: the test driver's VMs run no guest, so
         * the page's own rendering of Negotiated a(uut) is asked directly. */
        result.negotiated = await page.evaluate(() =>
            negotiatedText([[1, 0x10001, 0x41], [0, 0x10001, 0x41], [2, 0x10000, 0x3]]));

        /* Enable by a click; pvctl must see it. */
        result.before = await cellText(page, vm, "enabled");
        await page.click(`${row(vm)} button.toggle`);
        await waitCell(page, vm, "enabled", "enabled");
        result.after_click = await cellText(page, vm, "enabled");
        result.show_after_click = JSON.parse((await pvctl("show", vm, "--json")).stdout);

        /* A change from the shell reaches the page by PropertiesChanged. */
        const signalled = await watchSignals();
        const t0 = Date.now();
        let exited = null;
        const done = pvctl("disable", vm).then(r => { exited = Date.now(); return r });
        await waitCell(page, vm, "enabled", "disabled", 5000);
        const shown = Date.now();
        result.disable_rc = (await done).rc;
        result.live_ms = shown - t0;
        result.pvctl_ms = exited - t0;
        result.lag_ms = Math.max(0, shown - exited);
        const signal = signalled();
        result.signal_ms = signal === null ? null : shown - signal;

        /* The screenshot: the VM enabled again, its settings open. */
        await page.click(`${row(vm)} button.toggle`);
        await waitCell(page, vm, "enabled", "enabled");
        await page.click(`${row(vm)} button.edit`);
        await page.waitForSelector("#edit:not([hidden])");
        await page.screenshot({ path: env.SHOT, fullPage: true });

        /* A migration check against an uploaded offer. */
        const input = await page.$("#migrate-dtb");
        await input.uploadFile(env.OFFER);
        await page.click("#migrate-check");
        await page.waitForFunction(() => document.querySelector("#migrate-result").textContent !== "",
            { polling: "mutation", timeout: 10000 });
        result.migrate = await page.$eval("#migrate-result", el => el.textContent);

        /* A bad version range: pvctld's refusal, in its words. */
        await page.$eval("#edit-versions", el => { el.value = "" });
        await page.type("#edit-versions", env.BAD_VERSIONS);
        await page.click("#edit-apply");
        result.bad_versions_alert = await alertText(page);
        result.versions_after = await cellText(page, vm, "versions");
        await page.close();

        /* An unprivileged session: the same click is refused, and said so. */
        const denied = await open(browser, env.URL_DENIED);
        await denied.waitForSelector(row(vm), { timeout: 10000 });
        result.denied_listed = await denied.$$eval("#vms tbody tr", rows => rows.length);
        await denied.click(`${row(vm)} button.toggle`);
        result.denied_alert = await alertText(denied);
        result.denied_row = await cellText(denied, vm, "enabled");
        result.show_after_denial = JSON.parse((await pvctl("show", vm, "--json")).stdout);
        await denied.close();
    } finally {
        await browser.close();
    }
}

main()
        .catch(e => { result.error = String(e && e.stack || e) })
        .finally(() => fs.writeFileSync(env.OUT, JSON.stringify(result, null, 1) + "\n"));
