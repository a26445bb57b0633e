// "Ký số và duyệt" with the leader's own token: ask the agent on this PC (congvan-signer) for the
// certificate, have the server prepare the document, let the agent sign (the PIN is typed in the
// agent's window, never here), then send the signature value with the approval form.
const box = document.getElementById("agent-signing");
const status = document.getElementById("agent-status");
const form = document.getElementById("agent-form");
const pairingRow = document.getElementById("pairing-row");
const pairingInput = document.getElementById("pairing");
const KEY = "congvan-signer-pairing";

function say(what, error = false) {
  status.textContent = status.dataset[what] || what;
  status.classList.toggle("error", error);
}

async function agent(path, body) {
  const code = localStorage.getItem(KEY) || "";
  const r = await fetch(box.dataset.agent + path, {
    method: body ? "POST" : "GET",
    headers: { "Content-Type": "application/json", "X-Congvan-Pairing": code },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await r.json().catch(() => ({}));
  if (r.status === 401) {
    localStorage.removeItem(KEY);
    pairingRow.hidden = false;
    throw new Error(status.dataset.pairing);
  }
  if (!r.ok) throw new Error(data.message || data.error || r.statusText);
  return data;
}

async function sign() {
  if (pairingInput.value.trim()) localStorage.setItem(KEY, pairingInput.value.trim());
  if (!localStorage.getItem(KEY)) {
    pairingRow.hidden = false;
    say("pairing", true);
    return;
  }
  let cert;
  try {
    cert = (await agent("/certificate")).certificate;
  } catch (e) {
    say(e instanceof TypeError ? "noAgent" : e.message, true);
    return;
  }
  const prep = await fetch(box.dataset.prepare, {
    method: "POST",
    body: new URLSearchParams({
      certificate: cert,
      csrfmiddlewaretoken: form.querySelector("[name=csrfmiddlewaretoken]").value,
    }),
  });
  const session = await prep.json();
  if (!prep.ok) {
    say(session.error || prep.statusText, true);
    return;
  }
  say("askPin");
  let signed;
  try {
    signed = await agent("/sign", session);
  } catch (e) {
    say(e instanceof TypeError ? "noAgent" : e.message, true);
    return;
  }
  say("saving");
  form.querySelector("[name=session]").value = session.session;
  form.querySelector("[name=signature]").value = signed.signature;
  form.submit();
}

document.getElementById("sign-approve").addEventListener("click", () => {
  sign().catch((e) => say(e.message, true));
});
