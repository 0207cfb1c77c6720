/*
 * pvabi's Cockpit page: pvctld's VM objects on the system bus
 * (org.pvabi.pvctl1.VM below /org/pvabi/pvctl1, found through its
 * ObjectManager), through Cockpit's own D-Bus proxies.  Every change goes
 * through the VM's methods, so pvctld checks it (polkit, validation) exactly
 * as it does for pvctl; the page only shows what it answers.  Rows follow
 * PropertiesChanged, whatever made the change.
 */
"use strict";

const BUS_NAME = "org.pvabi.pvctl1";
const VM_IFACE = "org.pvabi.pvctl1.VM";
const ROOT = "/org/pvabi/pvctl1";

/* The PVABI_F_* bits by name, as libpvabi names them ('pvctl abi show
 * --json'; tests/cockpit/cockpit.sh checks that the two agree).  The
 * Negotiated property carries bits, the settings carry names. */
const FEATURES = ["notify", "booke", "segregs", "host-patch", "tlbsync-nop", "sprg4-7", "nesting"];

/* What pvctld answers when polkit (or, without polkit, the group rule)
 * says no: the page says "not authorized", it does not break. */
const DENIED = [
    "org.freedesktop.DBus.Error.AccessDenied",
    "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
];

/* When a change takes effect, in words (the "applies" answer). */
const APPLIES = {
    unchanged: "nothing changed",
    now: "in effect now",
    "next-negotiation": "the guest gets it when it next negotiates",
    "next-boot": "in effect at the VM's next start",
    "when-enabled": "used once pvabi is enabled for the VM",
};

const $ = (id) => document.getElementById(id);

let client = null;
let proxies = null;
let editing = null; /* the path of the VM whose settings are open */

function isDenied(ex) {
    return DENIED.includes(ex.name) || ex.problem === "access-denied" || ex.problem === "not-authorized";
}

function describeError(ex) {
    const text = ex.message || ex.problem || String(ex);
    return isDenied(ex) ? "Not authorized: " + text : text;
}

function showAlert(text, kind) {
    const alert = $("alert");
    alert.textContent = text;
    alert.className = "alert " + (kind || "danger");
    alert.hidden = false;
}

function clearAlert() {
    $("alert").hidden = true;
    $("alert").textContent = "";
}

function showError(what, ex) {
    showAlert(what + ": " + describeError(ex), isDenied(ex) ? "denied" : "danger");
}

function applies(answer) {
    const [when, note] = answer;
    return (APPLIES[when] || when) + (note ? " (" + note + ")" : "");
}

function featureNames(bits) {
    const names = [];
    let b = BigInt(bits);
    FEATURES.forEach((name, i) => {
        if (b & (1n << BigInt(i))) {
            names.push(name);
            b &= ~(1n << BigInt(i));
        }
    });
    if (b)
        names.push("0x" + b.toString(16));
    return names.length ? names.join(",") : "none";
}

/* Negotiated a(uut): one (vcpu, version, features) per vCPU that
 * negotiated, shown once per distinct outcome with its vCPUs. */
function negotiatedText(list) {
    if (!list || !list.length)
        return "—";
    const groups = new Map();
    for (const [vcpu, version, features] of list) {
        const v = Number(version);
        const key = (v >>> 16) + "." + (v & 0xffff) + " " + featureNames(features);
        if (!groups.has(key))
            groups.set(key, []);
        groups.get(key).push(vcpu);
    }
    return Array.from(groups, ([key, vcpus]) =>
        key + " (vCPU" + (vcpus.length > 1 ? "s " : " ") + vcpus.sort((a, b) => a - b).join(",") + ")").join("; ");
}

/* The patch policy's text form is key=value lines; one line on the row. */
function policyText(policy) {
    const lines = (policy || "").split("\n").filter(l => l.trim() !== "");
    return lines.length ? lines.join("; ") : "—";
}

function cell(row, cls, text) {
    let td = row.querySelector("td." + cls);
    if (!td) {
        td = document.createElement("td");
        td.className = cls;
        row.appendChild(td);
    }
    td.textContent = text;
    return td;
}

function rowFor(path) {
    return document.querySelector('#vms tbody tr[data-path="' + CSS.escape(path) + '"]');
}

function render(proxy) {
    if (!proxy.valid || proxy.Name === undefined)
        return;
    const tbody = $("vms").tBodies[0];
    let row = rowFor(proxy.path);
    if (!row) {
        row = document.createElement("tr");
        row.dataset.path = proxy.path;
        ["name", "state", "enabled", "versions", "features", "policy", "negotiated", "actions"]
                .forEach(c => cell(row, c, ""));
        const toggle = document.createElement("button");
        toggle.className = "toggle";
        toggle.addEventListener("click", () => toggleVM(proxy, toggle));
        const edit = document.createElement("button");
        edit.className = "edit";
        edit.textContent = "Settings";
        edit.addEventListener("click", () => openEdit(proxy));
        row.querySelector("td.actions").append(toggle, " ", edit);
    }
    row.dataset.vm = proxy.Name;
    cell(row, "name", proxy.Name).title = proxy.UUID;
    cell(row, "state", proxy.State);
    cell(row, "enabled", proxy.Enabled ? "enabled" : "disabled");
    row.classList.toggle("on", !!proxy.Enabled);
    cell(row, "versions", proxy.Versions);
    cell(row, "features", proxy.Features || "none");
    cell(row, "policy", policyText(proxy.PatchPolicy));
    cell(row, "negotiated", negotiatedText(proxy.Negotiated));
    const toggle = row.querySelector("button.toggle");
    toggle.textContent = proxy.Enabled ? "Disable" : "Enable";
    toggle.setAttribute("aria-label", (proxy.Enabled ? "Disable" : "Enable") + " pvabi for " + proxy.Name);

    /* Keep the rows in name order. */
    const rows = Array.from(tbody.rows).filter(r => r !== row);
    const next = rows.find(r => r.dataset.vm > proxy.Name);
    if (row.parentNode !== tbody || row.nextSibling !== (next || null))
        tbody.insertBefore(row, next || null);
    $("empty").hidden = tbody.rows.length > 0;
    if (editing === proxy.path)
        $("edit-name").textContent = proxy.Name;
}

function remove(proxy) {
    const row = rowFor(proxy.path);
    if (row)
        row.remove();
    if (editing === proxy.path)
        closeEdit();
    $("empty").hidden = $("vms").tBodies[0].rows.length > 0;
}

function toggleVM(proxy, button) {
    const method = proxy.Enabled ? "Disable" : "Enable";
    const name = proxy.Name;
    button.disabled = true;
    clearAlert();
    proxy.call(method, [])
            .then(answer => {
                $("status").textContent = name + ": " + (method === "Enable" ? "enabled" : "disabled") +
                    ", " + applies(answer) + ".";
            })
            .catch(ex => showError(method + " " + name, ex))
            .finally(() => { button.disabled = false });
}

function openEdit(proxy) {
    editing = proxy.path;
    $("edit-name").textContent = proxy.Name;
    $("edit-versions").value = proxy.Versions;
    $("edit-features").value = proxy.Features;
    $("edit-policy").value = proxy.PatchPolicy;
    $("edit-result").textContent = "";
    $("migrate-result").textContent = "";
    $("edit").hidden = false;
    clearAlert();
}

function closeEdit() {
    editing = null;
    $("edit").hidden = true;
}

/* Apply the fields that differ from the VM's settings, one method each, in
 * order; the first refusal stops and is shown as pvctld words it. */
async function applyEdit(ev) {
    ev.preventDefault();
    const proxy = proxies && proxies[editing];
    if (!proxy)
        return;
    const steps = [
        ["SetVersions", "versions", $("edit-versions").value.trim(), proxy.Versions],
        ["SetFeatures", "features", $("edit-features").value.trim(), proxy.Features],
        ["SetPatchPolicy", "patch policy", $("edit-policy").value, proxy.PatchPolicy],
    ];
    const done = [];
    clearAlert();
    $("edit-apply").disabled = true;
    try {
        for (const [method, what, value, current] of steps) {
            if (value === current)
                continue;
            try {
                done.push(what + ": " + applies(await proxy.call(method, [value])));
            } catch (ex) {
                showError("Setting the " + what + " of " + proxy.Name, ex);
                break;
            }
        }
    } finally {
        $("edit-apply").disabled = false;
    }
    $("edit-result").textContent = done.length ? done.join("; ") + "." : "";
}

function base64(buffer) {
    const bytes = new Uint8Array(buffer);
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000)
        s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return window.btoa(s);
}

/* CheckMigration(ay offer): the destination's device-tree offer, as
 * Cockpit's D-Bus JSON carries byte arrays (base64). */
async function checkMigration(ev) {
    ev.preventDefault();
    const proxy = proxies && proxies[editing];
    const file = $("migrate-dtb").files[0];
    const result = $("migrate-result");
    result.className = "result";
    if (!proxy)
        return;
    if (!file) {
        result.textContent = "Choose the destination's offer (.dtb) first.";
        return;
    }
    clearAlert();
    try {
        const [compatible, reasons] = await proxy.call("CheckMigration", [base64(await file.arrayBuffer())]);
        result.textContent = proxy.Name + (compatible ? " can migrate to that host" : " cannot migrate to that host") +
            (reasons.length ? ": " + reasons.join("; ") : ".");
        result.classList.add(compatible ? "yes" : "no");
    } catch (ex) {
        showError("Checking the migration of " + proxy.Name, ex);
    }
}

function setOwner(owner) {
    if (owner === null)
        $("status").textContent = "pvctld is not running (systemctl start pvctld).";
    else if (owner !== undefined)
        $("status").textContent = "Connected to pvctld.";
}

function init() {
    $("edit-form").addEventListener("submit", applyEdit);
    $("edit-cancel").addEventListener("click", closeEdit);
    $("migrate-form").addEventListener("submit", checkMigration);

    client = cockpit.dbus(BUS_NAME, { bus: "system" });
    client.addEventListener("owner", (event, owner) => setOwner(owner));
    client.addEventListener("close", (event, options) =>
        showAlert("The connection to the system bus closed: " + (options.problem || "unknown reason")));

    proxies = client.proxies(VM_IFACE, ROOT);
    proxies.addEventListener("added", (event, proxy) => render(proxy));
    proxies.addEventListener("changed", (event, proxy) => render(proxy));
    proxies.addEventListener("removed", (event, proxy) => remove(proxy));
    proxies.wait(() => {
        Object.keys(proxies).forEach(path => render(proxies[path]));
        $("vms").dataset.loaded = "true";
    });

    /* The proxies do not report a refused read; one call of our own does,
     * so that a denial reads as such and not as an empty list. */
    client.call(ROOT, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", [])
            .catch(ex => showError("Listing the VMs", ex));
}

document.addEventListener("DOMContentLoaded", init);
