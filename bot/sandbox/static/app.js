// The dealbell sandbox page: a small Slack look-alike over the sandbox's JSON API (/api/…).
// Plain JS, no build step, nothing loaded from anywhere but this server.
"use strict";

const BOT = "UBOT";
const APP = "dealbell";
const REACTIONS = ["clap", "tada", "thumbsup", "heart", "fire", "rocket", "eyes", "raised_hands"];
const EMOJI = {
  "+1": "👍", thumbsup: "👍", clap: "👏", tada: "🎉", trophy: "🏆", heart: "❤️", fire: "🔥", rocket: "🚀",
  eyes: "👀", raised_hands: "🙌", white_check_mark: "✅", x: "❌", warning: "⚠️", no_entry: "⛔",
  speech_balloon: "💬", inbox_tray: "📥", zzz: "💤", wave: "👋", stopwatch: "⏱️", moneybag: "💰",
  leftwards_arrow_with_hook: "↩️", gift: "🎁", construction: "🚧", checkered_flag: "🏁",
  chart_with_upwards_trend: "📈", bust_in_silhouette: "👤", busts_in_silhouette: "👥", bulb: "💡",
  alarm_clock: "⏰", telescope: "🔭", telephone_receiver: "📞", sunrise: "🌅", sparkles: "✨", scales: "⚖️",
  mortar_board: "🎓", lock: "🔒", hourglass_flowing_sand: "⏳", grey_question: "❔", crossed_swords: "⚔️",
  clock3: "🕒", calendar: "📅", bell: "🔔", bar_chart: "📊", arrows_counterclockwise: "🔄", handshake: "🤝",
  medal: "🏅", sports_medal: "🏅", first_place_medal: "🥇", second_place_medal: "🥈", third_place_medal: "🥉",
  muscle: "💪", star: "⭐", memo: "📝", arrow_up: "⬆️", arrow_down: "⬇️", small_red_triangle: "🔺",
  small_red_triangle_down: "🔻", heavy_minus_sign: "➖", new: "🆕", mega: "📣", information_source: "ℹ️",
};

const app = {
  me: localStorage.getItem("sandbox.user"),
  version: null,
  data: null,
  conversation: localStorage.getItem("sandbox.conversation") || "C01SALES",
  tab: "home", // for the app: "home" or "messages" (Slack opens an app on its Home)
  seen: {}, // conversation -> number of messages seen
  commands: [],
  poll: null, // AbortController of the running long poll
  modalKey: null, // id+hash of the modal on screen (redrawn only when it changes)
  homeKey: null,
  suggestion: 0,
};

// --- small helpers ---------------------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "html") node.innerHTML = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

// The server accepts changes only with this session's token, which it wrote into the page:
// another website's page can send requests here but cannot read the token.
const SANDBOX_TOKEN = document.querySelector('meta[name="sandbox-token"]').content;
const JSON_HEADERS = { "Content-Type": "application/json", "X-Sandbox-Token": SANDBOX_TOKEN };

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify({ user: app.me, ...body }),
  });
  let answer = {};
  try { answer = await response.json(); } catch (_) { /* an empty answer */ }
  if (!response.ok && answer.error) toast(answer.error);
  return answer;
}

function toast(text) {
  const node = document.getElementById("toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, 4000);
}

function person(id) {
  return (app.data?.people || []).find((p) => p.id === id);
}

function displayName(id) {
  if (id === BOT) return APP;
  const p = person(id);
  return p ? p.real_name || p.name : id;
}

function dmOf(user) { return "D" + user; }

// --- mrkdwn ----------------------------------------------------------------------------------------

function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function slackUnescape(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function emoji(text) {
  return text.replace(/:([a-z0-9_+'-]+)(::skin-tone-\d)?:/g, (all, name) => EMOJI[name] || all);
}

// One <…> token of Slack's syntax, as HTML: mentions, channels, links, dates.
function specialToken(inner) {
  const [target, label] = inner.split("|", 2);
  if (target.startsWith("@")) return `<span class="mention">@${escapeHtml(label || displayName(target.slice(1)))}</span>`;
  if (target.startsWith("#")) {
    const channel = (app.data?.channels || []).find((c) => c.id === target.slice(1));
    return `<span class="mention">#${escapeHtml(label || (channel ? channel.name : target.slice(1)))}</span>`;
  }
  if (target.startsWith("!")) {
    if (target.startsWith("!date")) return escapeHtml(slackUnescape(label || ""));
    return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  }
  const url = slackUnescape(target);
  const shown = escapeHtml(slackUnescape(label || target));
  if (/^(https?:|mailto:)/.test(url)) return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${shown}</a>`;
  return shown;
}

// Slack's mrkdwn to safe HTML: escape everything, then bold, italics, strike, code, emoji, line breaks.
function mrkdwn(text) {
  const tokens = [];
  let source = (text || "").replace(/<([^<>]+)>/g, (all, inner) => {
    tokens.push(specialToken(inner));
    return `\u0000${tokens.length - 1}\u0000`;
  });
  source = escapeHtml(slackUnescape(source));
  const codes = [];
  source = source.replace(/```([\s\S]+?)```|`([^`\n]+)`/g, (all, block, inline) => {
    codes.push(block !== undefined ? `<pre>${block}</pre>` : `<code>${inline}</code>`);
    return `\u0001${codes.length - 1}\u0001`;
  });
  // Slack's boundary rule for emphasis: a mark needs the start or end, a space, ASCII punctuation or a
  // zero-width space (U+200B, which bot/kit/emphasis.py puts beside Chinese text) on its outer side.
  source = source
    .replace(/(^|[\s(>\u0000\u200b])\*([^*\n]+)\*(?=$|[\s).,!?:;\u0000\u200b])/g, "$1<b>$2</b>")
    .replace(/(^|[\s(>\u0000\u200b])_([^_\n]+)_(?=$|[\s).,!?:;\u0000\u200b])/g, "$1<i>$2</i>")
    .replace(/(^|[\s(>\u0000\u200b])~([^~\n]+)~(?=$|[\s).,!?:;\u0000\u200b])/g, "$1<s>$2</s>")
    .replace(/^&gt; ?(.*)$/gm, '<span class="quote">$1</span>');
  source = emoji(source).replace(/\n/g, "<br>");
  source = source.replace(/\u0001(\d+)\u0001/g, (all, i) => codes[Number(i)]);
  return source.replace(/\u0000(\d+)\u0000/g, (all, i) => tokens[Number(i)]);
}

function textObject(object) {
  if (!object) return h("span");
  if (object.type === "mrkdwn") return h("span", { class: "mrkdwn", html: mrkdwn(object.text) });
  return h("span", { text: emoji(object.text || "") });
}

function plainText(object) {
  return object ? emoji(object.text || "") : "";
}

function safeImage(url) {
  // Only this server's files or inline data: the sandbox never fetches anything from the internet.
  return typeof url === "string" && (url.startsWith("/") || url.startsWith("data:image/"));
}

// --- Block Kit ---------------------------------------------------------------------------------------

// ctx: {kind: "message", channel, ts} | {kind: "view", viewId, modal: bool}
function renderBlocks(blocks, ctx) {
  return h("div", { class: "blocks" }, blocks.map((block, index) => renderBlock(block, index, ctx)));
}

function renderBlock(block, index, ctx) {
  const blockId = block.block_id || `b${index}`;
  const node = h("div", { class: `block block-${block.type}`, "data-block-id": blockId });
  switch (block.type) {
    case "header":
      node.append(h("h3", { text: plainText(block.text) }));
      break;
    case "section": {
      const body = h("div", { class: "section-body" });
      if (block.text) body.append(h("div", { class: "section-text" }, textObject(block.text)));
      if (block.fields) body.append(h("div", { class: "fields" }, block.fields.map((f) => h("div", { class: "field" }, textObject(f)))));
      node.append(body);
      if (block.accessory) node.append(h("div", { class: "accessory" }, renderElement(block.accessory, blockId, ctx)));
      break;
    }
    case "context":
      node.append(...(block.elements || []).map((e) => (e.type === "image" ? renderImage(e, "context-image") : textObject(e))));
      break;
    case "divider":
      node.append(h("hr"));
      break;
    case "image":
      if (block.title) node.append(h("div", { class: "image-title", text: plainText(block.title) }));
      node.append(renderImage(block, "block-image"));
      break;
    case "actions":
      node.append(...(block.elements || []).map((e) => renderElement(e, blockId, ctx)));
      break;
    case "input":
      node.append(renderInput(block, blockId, ctx));
      break;
    default:
      node.append(h("div", { class: "muted", text: `[${block.type} block]` }));
  }
  return node;
}

function renderImage(element, cls) {
  const url = element.image_url || element.url;
  if (!safeImage(url)) return h("span", { class: "muted", text: `[image: ${element.alt_text || ""}]` });
  return h("img", { class: cls, src: url, alt: element.alt_text || "" });
}

// The selected value of an element, shaped as Slack puts it in a block action or in view state.
function optionOf(options, value) {
  return (options || []).find((o) => o.value === value) || null;
}

function allOptions(element) {
  return element.options || (element.option_groups || []).flatMap((g) => g.options);
}

function peopleOptions() {
  return (app.data?.people || []).filter((p) => !p.is_bot).map((p) => ({ value: p.id, label: p.real_name || p.name }));
}

function conversationOptions() {
  return (app.data?.channels || []).map((c) => ({ value: c.id, label: "#" + c.name }));
}

function selectNode(choices, { multiple = false, placeholder = "Select…", initial = [] } = {}) {
  const select = h("select", { multiple });
  if (!multiple) select.append(h("option", { value: "", text: placeholder }));
  for (const choice of choices) {
    select.append(h("option", { value: choice.value, text: choice.label, selected: initial.includes(choice.value) }));
  }
  return select;
}

// Interactive elements: in messages, the Home and actions blocks a change sends block_actions at once.
function renderElement(element, blockId, ctx) {
  const base = { action_id: element.action_id, block_id: blockId, type: element.type };
  const send = (extra) => sendAction(ctx, { ...base, ...extra });
  switch (element.type) {
    case "button":
      return h("button", {
        type: "button",
        class: `bk-button ${element.style || ""}`,
        "data-action-id": element.action_id,
        onclick: () => send({ value: element.value || "", text: element.text }),
      }, plainText(element.text));
    case "image":
      return renderImage(element, "accessory-image");
    case "overflow":
      return renderOverflow(element, send);
    case "static_select":
    case "external_select": {
      const select = selectNode(allOptions(element).map((o) => ({ value: o.value, label: plainText(o.text) })),
        { placeholder: plainText(element.placeholder) || "Select…", initial: [element.initial_option?.value] });
      select.dataset.actionId = element.action_id;
      select.addEventListener("change", () => send({ selected_option: optionOf(allOptions(element), select.value) }));
      return select;
    }
    case "users_select": {
      const select = selectNode(peopleOptions(), { placeholder: plainText(element.placeholder) || "Choose someone", initial: [element.initial_user] });
      select.dataset.actionId = element.action_id;
      select.addEventListener("change", () => send({ selected_user: select.value }));
      return select;
    }
    case "conversations_select":
    case "channels_select": {
      const select = selectNode(conversationOptions(), { placeholder: plainText(element.placeholder) || "Choose a channel" });
      select.dataset.actionId = element.action_id;
      const key = element.type === "channels_select" ? "selected_channel" : "selected_conversation";
      select.addEventListener("change", () => send({ [key]: select.value }));
      return select;
    }
    case "datepicker": {
      const input = h("input", { type: "date", value: element.initial_date || "" });
      input.addEventListener("change", () => send({ selected_date: input.value }));
      return input;
    }
    default:
      return h("span", { class: "muted", text: `[${element.type}]` });
  }
}

function renderOverflow(element, send) {
  const menu = h("div", { class: "overflow-menu", hidden: true });
  for (const option of element.options || []) {
    menu.append(h("button", {
      type: "button",
      onclick: () => { menu.hidden = true; send({ selected_option: option }); },
    }, plainText(option.text)));
  }
  const toggle = h("button", { type: "button", class: "bk-button overflow", "aria-label": "More actions", onclick: () => { menu.hidden = !menu.hidden; } }, "⋯");
  return h("span", { class: "overflow-wrap", "data-action-id": element.action_id }, toggle, menu);
}

// --- modal inputs ------------------------------------------------------------------------------------

function renderInput(block, blockId, ctx) {
  const element = block.element || {};
  const label = h("label", { class: "input-label" }, plainText(block.label), block.optional ? h("span", { class: "muted", text: " (optional)" }) : null);
  const control = inputControl(element);
  control.dataset.blockId = blockId;
  control.dataset.actionId = element.action_id || "value";
  control.dataset.type = element.type;
  control.classList.add("input-control");
  const wrap = h("div", { class: "input" }, label, control);
  if (element.type === "external_select") wrap.append(typeAhead(control, blockId, element, ctx));
  if (block.hint) wrap.append(h("div", { class: "hint", text: plainText(block.hint) }));
  wrap.append(h("div", { class: "field-error", "data-error-for": blockId, hidden: true }));
  return wrap;
}

function inputControl(element) {
  const placeholder = plainText(element.placeholder);
  switch (element.type) {
    case "plain_text_input":
      return element.multiline
        ? h("textarea", { rows: 3, placeholder, maxlength: element.max_length, text: element.initial_value || "" })
        : h("input", { type: "text", placeholder, maxlength: element.max_length, value: element.initial_value || "" });
    case "email_text_input":
      return h("input", { type: "email", placeholder, value: element.initial_value || "" });
    case "url_text_input":
      return h("input", { type: "url", placeholder, value: element.initial_value || "" });
    case "number_input":
      return h("input", { type: "number", step: element.is_decimal_allowed ? "any" : "1", min: element.min_value, max: element.max_value, placeholder, value: element.initial_value || "" });
    case "external_select": { // typed into; typeAhead() asks the bot for the options as Slack does
      const input = h("input", { type: "text", placeholder, autocomplete: "off", value: element.initial_option ? plainText(element.initial_option.text) : "" });
      input.loadedOptions = element.initial_option ? [element.initial_option] : [];
      return input;
    }
    case "static_select":
    case "multi_static_select": {
      const initial = element.initial_option ? [element.initial_option.value] : (element.initial_options || []).map((o) => o.value);
      return selectNode(allOptions(element).map((o) => ({ value: o.value, label: plainText(o.text) })),
        { multiple: element.type === "multi_static_select", placeholder: placeholder || "Select…", initial });
    }
    case "users_select":
      return selectNode(peopleOptions(), { placeholder: placeholder || "Choose someone", initial: [element.initial_user] });
    case "multi_users_select":
      return selectNode(peopleOptions(), { multiple: true, initial: element.initial_users || [] });
    case "conversations_select":
    case "channels_select":
      return selectNode(conversationOptions(), { placeholder: placeholder || "Choose a channel", initial: [element.initial_conversation || element.initial_channel] });
    case "datepicker":
      return h("input", { type: "date", value: element.initial_date || "" });
    case "timepicker":
      return h("input", { type: "time", value: element.initial_time || "" });
    case "checkboxes":
    case "radio_buttons": {
      const group = h("div", { class: "choices" });
      const initial = element.type === "checkboxes" ? (element.initial_options || []).map((o) => o.value) : [element.initial_option?.value];
      const name = `r${Math.random().toString(36).slice(2)}`;
      for (const option of element.options || []) {
        const box = h("input", { type: element.type === "checkboxes" ? "checkbox" : "radio", name, value: option.value, checked: initial.includes(option.value) });
        group.append(h("label", { class: "choice" }, box, " ", textObject(option.text)));
      }
      return group;
    }
    default:
      return h("div", { class: "muted", text: `[${element.type}]` });
  }
}

// An external_select in a modal: as the user types (past min_query_length), the sandbox sends the bot
// a block_suggestion and lists the options it answers; the choice is the option shown as typed.
function typeAhead(input, blockId, element, ctx) {
  const list = h("datalist", { id: `options-${blockId}-${Math.random().toString(36).slice(2)}` });
  input.setAttribute("list", list.id);
  let asked = 0;
  input.addEventListener("input", async () => {
    if (input.value.length < (element.min_query_length ?? 3)) return;
    const mine = ++asked;
    const answer = await api("/api/options", { view_id: ctx.viewId, block_id: blockId, action_id: element.action_id, value: input.value });
    if (mine !== asked) return; // a later keystroke's answer wins
    input.loadedOptions = allOptions(answer);
    list.replaceChildren(...input.loadedOptions.map((o) => h("option", { value: plainText(o.text) })));
  });
  return list;
}

function typedOption(control) {
  const typed = control.value.trim();
  if (!typed) return null;
  const options = control.loadedOptions || [];
  // Slack only lets people pick a listed option; a name typed before the list arrived stands for the
  // option carrying it (dealbell always lists the typed name).
  return options.find((o) => plainText(o.text) === typed) || options.find((o) => o.value === typed)
    || { text: { type: "plain_text", text: typed }, value: typed };
}

// The view state Slack sends with view_submission: values[block_id][action_id] = {type, …}.
function readValues(root, element) {
  const values = {};
  for (const control of root.querySelectorAll(".input-control")) {
    const { blockId, actionId, type } = control.dataset;
    values[blockId] = { [actionId]: readControl(control, type, element(blockId)) };
  }
  return values;
}

function readControl(control, type, element) {
  const selected = () => Array.from(control.selectedOptions || []).map((o) => o.value).filter(Boolean);
  switch (type) {
    case "plain_text_input": case "email_text_input": case "url_text_input": case "number_input":
      return { type, value: control.value === "" ? null : control.value };
    case "static_select":
      return { type, selected_option: optionOf(allOptions(element), control.value) };
    case "external_select":
      return { type, selected_option: typedOption(control) };
    case "multi_static_select":
      return { type, selected_options: selected().map((v) => optionOf(allOptions(element), v)) };
    case "users_select":
      return { type, selected_user: control.value || null };
    case "multi_users_select":
      return { type, selected_users: selected() };
    case "conversations_select":
      return { type, selected_conversation: control.value || null };
    case "channels_select":
      return { type, selected_channel: control.value || null };
    case "datepicker":
      return { type, selected_date: control.value || null };
    case "timepicker":
      return { type, selected_time: control.value || null };
    case "checkboxes": {
      const chosen = Array.from(control.querySelectorAll("input:checked")).map((i) => i.value);
      return { type, selected_options: chosen.map((v) => optionOf(element.options, v)) };
    }
    case "radio_buttons": {
      const chosen = control.querySelector("input:checked");
      return { type, selected_option: chosen ? optionOf(element.options, chosen.value) : null };
    }
    default:
      return { type };
  }
}

// --- actions -----------------------------------------------------------------------------------------

async function sendAction(ctx, action) {
  if (ctx.kind === "message") {
    await api("/api/action", { channel: ctx.channel, ts: ctx.ts, action });
  } else {
    const root = ctx.modal ? document.getElementById("modal") : document.getElementById("home");
    const view = ctx.modal ? app.data.modal : app.data.home;
    await api("/api/action", { view_id: ctx.viewId, action, values: readValues(root, (id) => inputElement(view, id)) });
  }
}

function inputElement(view, blockId) {
  const blocks = view?.blocks || [];
  const index = blocks.findIndex((b, i) => (b.block_id || `b${i}`) === blockId);
  return index >= 0 ? blocks[index].element || {} : {};
}

// --- messages ----------------------------------------------------------------------------------------

function initials(id) {
  if (id === BOT) return "db";
  return displayName(id).split(/\s+/).map((w) => w[0]).join("").slice(0, 2).toUpperCase();
}

function timeOf(message) {
  return new Date(message.posted_at * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function renderMessage(message, replies) {
  const ctx = { kind: "message", channel: message.channel, ts: message.ts };
  const body = message.blocks && message.blocks.length
    ? renderBlocks(message.blocks, ctx)
    : h("div", { class: "mrkdwn", html: mrkdwn(message.text) });
  const node = h("article", {
    class: `message${message.ephemeral ? " ephemeral" : ""}${message.bot ? " from-bot" : ""}`,
    "data-ts": message.ts,
    "data-user": message.user,
  },
  reactionToolbar(message),
  h("div", { class: `avatar${message.bot ? " bot" : ""}`, text: initials(message.user) }),
  h("div", { class: "message-main" },
    h("div", { class: "message-meta" },
      h("span", { class: "author", text: displayName(message.user) }),
      message.bot ? h("span", { class: "app-badge", text: "APP" }) : null,
      h("span", { class: "time", text: timeOf(message) }),
      message.edited ? h("span", { class: "muted", text: "(edited)" }) : null),
    message.ephemeral ? h("div", { class: "only-you", text: "Only visible to you" }) : null,
    body,
    message.files.map((f) => h("figure", { class: "file" }, h("img", { src: f.url, alt: f.title }), h("figcaption", { text: f.title }))),
    renderReactions(message),
    replies.length ? h("div", { class: "thread" }, replies.map((r) => renderMessage(r, []))) : null));
  return node;
}

function renderReactions(message) {
  if (message.ephemeral || !message.reactions.length) return null;
  return h("div", { class: "reactions" }, message.reactions.map((reaction) => h("button", {
    type: "button",
    class: `reaction${reaction.users.includes(app.me) ? " mine" : ""}`,
    title: reaction.users.map(displayName).join(", "),
    "data-reaction": reaction.name,
    onclick: () => react(message, reaction.name),
  }, `${EMOJI[reaction.name] || ":" + reaction.name + ":"} ${reaction.users.length}`)));
}

// The hover toolbar of a message: add a reaction (Slack sends the bot reaction_added).
function reactionToolbar(message) {
  if (message.ephemeral) return null;
  const picker = h("div", { class: "reaction-picker", hidden: true },
    REACTIONS.map((name) => h("button", {
      type: "button", title: `:${name}:`, "data-emoji": name,
      onclick: () => { picker.hidden = true; react(message, name); },
    }, EMOJI[name])));
  const add = h("button", { type: "button", class: "add-reaction", title: "Add reaction", onclick: () => { picker.hidden = !picker.hidden; } }, "☺+");
  return h("div", { class: "message-toolbar" }, add, picker);
}

async function react(message, name) {
  await api("/api/react", { channel: message.channel, ts: message.ts, name });
}

function messagesIn(conversation) {
  return (app.data?.messages || []).filter((m) => m.channel === conversation);
}

function renderConversation() {
  const list = document.getElementById("messages");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const messages = messagesIn(app.conversation);
  const top = messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  const replies = (m) => messages.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts);
  list.replaceChildren(...top.map((m) => renderMessage(m, replies(m))));
  if (!top.length) list.append(h("p", { class: "muted empty", text: "No messages yet." }));
  if (nearBottom || app.scrollNext) list.scrollTop = list.scrollHeight;
  app.scrollNext = false;
  app.seen[app.conversation] = messages.length;
}

// --- the App Home ------------------------------------------------------------------------------------

function renderHome() {
  const root = document.getElementById("home");
  const view = app.data?.home;
  const key = view ? view.id + (view.hash || "") + JSON.stringify(view.blocks).length : "none";
  if (key === app.homeKey && root.childElementCount) return;
  app.homeKey = key;
  if (!view) {
    root.replaceChildren(h("p", { class: "muted", text: "Loading your Home…" }));
    return;
  }
  root.replaceChildren(renderBlocks(view.blocks || [], { kind: "view", viewId: view.id, modal: false }));
}

// --- the modal ---------------------------------------------------------------------------------------

function renderModal() {
  const backdrop = document.getElementById("modal-backdrop");
  const root = document.getElementById("modal");
  const view = app.data?.modal;
  if (!view) {
    backdrop.hidden = true;
    app.modalKey = null;
    return;
  }
  const key = `${view.id}:${view.hash}:${app.data.modal_depth}`;
  if (key === app.modalKey) return; // keep what the user typed
  app.modalKey = key;
  const form = h("form", { class: "modal-form", onsubmit: (e) => { e.preventDefault(); submitModal(view); } },
    h("div", { class: "modal-header" },
      h("h2", { text: plainText(view.title) }),
      h("button", { type: "button", class: "ghost close-x", "aria-label": "Close", onclick: () => closeModal() }, "×")),
    h("div", { class: "modal-body" }, renderBlocks(view.blocks || [], { kind: "view", viewId: view.id, modal: true })),
    h("div", { class: "modal-footer" },
      h("button", { type: "button", class: "secondary", onclick: () => closeModal() }, plainText(view.close) || "Cancel"),
      view.submit ? h("button", { type: "submit", class: "primary" }, plainText(view.submit)) : null));
  root.replaceChildren(form);
  backdrop.hidden = false;
  const first = root.querySelector("input, textarea, select");
  if (first) first.focus();
}

async function submitModal(view) {
  const root = document.getElementById("modal");
  const values = readValues(root, (id) => inputElement(view, id));
  for (const node of root.querySelectorAll(".field-error")) { node.hidden = true; node.textContent = ""; }
  const answer = await api("/api/submit", { view_id: view.id, values });
  for (const [blockId, message] of Object.entries(answer.errors || {})) {
    const node = root.querySelector(`[data-error-for="${CSS.escape(blockId)}"]`);
    if (node) { node.innerHTML = mrkdwn(message); node.hidden = false; }
  }
}

async function closeModal() {
  await api("/api/close", {});
}

// --- sidebar, switcher, composer -----------------------------------------------------------------------

function conversationName(id) {
  if (id === dmOf(app.me)) return APP;
  const channel = (app.data?.channels || []).find((c) => c.id === id);
  return channel ? "#" + channel.name : id;
}

function unread(id) {
  return Math.max(0, messagesIn(id).length - (app.seen[id] ?? 0));
}

function sidebarItem(id, label) {
  const count = id === app.conversation ? 0 : unread(id);
  return h("li", {},
    h("button", {
      type: "button",
      class: `nav-item${id === app.conversation ? " active" : ""}${count ? " unread" : ""}`,
      "data-conversation": id,
      onclick: () => openConversation(id),
    }, label, count ? h("span", { class: "count", text: String(count) }) : null));
}

function renderSidebar() {
  document.getElementById("channel-list").replaceChildren(...(app.data.channels || []).map((c) => sidebarItem(c.id, "# " + c.name)));
  document.getElementById("app-list").replaceChildren(sidebarItem(dmOf(app.me), APP));
}

function renderSwitcher() {
  const select = document.getElementById("user-switcher");
  if (select.childElementCount) { select.value = app.me; return; }
  for (const p of app.data.people.filter((x) => !x.is_bot)) {
    select.append(h("option", { value: p.id, text: `${p.real_name}${p.manager ? " (manager)" : ""} · ${p.tz}` }));
  }
  select.value = app.me;
}

function openConversation(id) {
  app.conversation = id;
  localStorage.setItem("sandbox.conversation", id);
  app.scrollNext = true;
  const isApp = id === dmOf(app.me);
  if (isApp && app.tab === "home") api("/api/home", {});
  render();
}

function render() {
  if (!app.data) return;
  const isApp = app.conversation === dmOf(app.me);
  const showHome = isApp && app.tab === "home";
  document.getElementById("conversation-title").textContent = conversationName(app.conversation);
  document.getElementById("conversation-tabs").hidden = !isApp;
  for (const tab of document.querySelectorAll("#conversation-tabs .tab")) {
    tab.classList.toggle("active", tab.dataset.tab === (showHome ? "home" : "messages"));
  }
  document.getElementById("messages").hidden = showHome;
  document.getElementById("composer").hidden = showHome;
  document.getElementById("home").hidden = !showHome;
  if (showHome) renderHome(); else renderConversation();
  renderSidebar();
  renderSwitcher();
  renderModal();
}

function suggestions(value) {
  if (!value.startsWith("/") || value.includes(" ")) return [];
  return app.commands.filter((c) => c.command.startsWith(value.toLowerCase()));
}

function renderAutocomplete() {
  const input = document.getElementById("composer-input");
  const list = document.getElementById("autocomplete");
  const found = suggestions(input.value);
  const hint = document.getElementById("composer-hint");
  const typed = app.commands.find((c) => input.value.startsWith(c.command + " ") || input.value === c.command);
  hint.textContent = typed ? `${typed.command} ${typed.usage_hint}` : "";
  list.hidden = !found.length;
  app.suggestion = Math.min(app.suggestion, Math.max(0, found.length - 1));
  list.replaceChildren(...found.map((c, i) => h("li", {
    class: i === app.suggestion ? "selected" : "",
    "data-command": c.command,
    onmousedown: (e) => { e.preventDefault(); choose(c); },
  }, h("b", { text: c.command }), " ", h("span", { class: "muted", text: c.usage_hint }), h("div", { class: "description", text: c.description }))));
}

function choose(command) {
  const input = document.getElementById("composer-input");
  input.value = command.command + " ";
  app.suggestion = 0;
  renderAutocomplete();
  input.focus();
}

async function send(event) {
  event.preventDefault();
  const input = document.getElementById("composer-input");
  const value = input.value.trim();
  if (!value) return;
  input.value = "";
  renderAutocomplete();
  if (value.startsWith("/")) {
    const [command, ...rest] = value.split(" ");
    if (!app.commands.some((c) => c.command === command)) {
      toast(`${command} is not a dealbell command`);
      return;
    }
    app.scrollNext = true;
    await api("/api/command", { channel: app.conversation, command, text: rest.join(" ") });
  } else if (app.conversation.startsWith("D")) {
    toast("dealbell only reads slash commands: type / to see them");
  } else {
    app.scrollNext = true;
    await api("/api/message", { channel: app.conversation, text: value });
  }
}

function composerKeys(event) {
  const found = suggestions(event.target.value);
  if (!found.length) return;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    app.suggestion = (app.suggestion + (event.key === "ArrowDown" ? 1 : found.length - 1)) % found.length;
    renderAutocomplete();
  } else if (event.key === "Tab" || (event.key === "Enter" && event.target.value !== found[app.suggestion].command)) {
    event.preventDefault();
    choose(found[app.suggestion]);
  }
}

// --- the scheduler -------------------------------------------------------------------------------------

function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function clockMoment() {
  const value = document.getElementById("clock").value;
  return value ? new Date(value) : new Date();
}

async function loadJobs() {
  const jobs = await (await fetch(`/api/jobs?user=${encodeURIComponent(app.me || "")}`)).json();
  const list = document.getElementById("job-list");
  list.replaceChildren(...jobs.map((job) => {
    const outcome = h("div", { class: "outcome muted", "data-outcome-for": job.name });
    const button = h("button", { type: "button", class: "run-job", "data-job": job.name, onclick: () => runJob(job.name, button, outcome) }, "Run now");
    return h("li", { class: "job", "data-job": job.name },
      h("div", { class: "job-head" }, h("b", { text: job.name }), h("span", { class: "muted", text: ` per ${job.cadence} · ${job.schedule}` })),
      h("div", { class: "job-description", text: job.description }),
      h("div", { class: "job-run" }, button, outcome));
  }));
}

async function runJob(name, button, outcome) {
  button.disabled = true;
  outcome.textContent = "running…";
  try {
    const response = await fetch("/api/jobs/run", {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ name, at: clockMoment().toISOString() }),
    });
    const answer = await response.json();
    outcome.textContent = (answer.outcomes || []).map((o) => `${o.period}: ${o.status}${o.result !== null ? ` (${o.result})` : ""}`).join("; ") || answer.error || "";
  } finally {
    button.disabled = false;
  }
}

function jumpClock(seconds) {
  const clock = document.getElementById("clock");
  const base = seconds === 0 ? new Date() : clockMoment();
  clock.value = localInputValue(new Date(base.getTime() + seconds * 1000));
}

// --- the long poll -------------------------------------------------------------------------------------

async function pollForever() {
  for (;;) {
    app.poll = new AbortController();
    const since = app.version === null ? "" : `&since=${app.version}`;
    try {
      const response = await fetch(`/api/state?user=${encodeURIComponent(app.me || "")}${since}`, { signal: app.poll.signal });
      const data = await response.json();
      if (!data.people.some((p) => p.id === app.me && !p.is_bot)) {
        app.me = data.default_user; // a first visit, or someone this sandbox does not have
        localStorage.setItem("sandbox.user", app.me);
        app.version = null;
        continue;
      }
      const first = app.data === null;
      app.data = data;
      app.version = data.version;
      if (first) for (const c of [...data.channels.map((x) => x.id), dmOf(app.me)]) app.seen[c] = c === app.conversation ? 0 : messagesIn(c).length;
      render();
    } catch (error) {
      if (error.name !== "AbortError") await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function switchUser(id) {
  app.me = id;
  localStorage.setItem("sandbox.user", id);
  app.version = null;
  app.modalKey = null;
  app.homeKey = null;
  if (app.conversation.startsWith("D")) app.conversation = dmOf(id);
  if (app.conversation === dmOf(id) && app.tab === "home") api("/api/home", {});
  if (!document.getElementById("scheduler").hidden) loadJobs(); // schedules in the new member's language
  app.poll?.abort();
}

async function start() {
  app.commands = await (await fetch("/api/commands")).json();
  document.getElementById("composer").addEventListener("submit", send);
  const input = document.getElementById("composer-input");
  input.addEventListener("input", () => { app.suggestion = 0; renderAutocomplete(); });
  input.addEventListener("keydown", composerKeys);
  document.getElementById("user-switcher").addEventListener("change", (e) => switchUser(e.target.value));
  // the web dashboard, signed in (through the fake Slack's Sign in with Slack) as the acting member
  document.getElementById("dashboard-link").addEventListener("click", (e) => {
    e.currentTarget.href = "/dashboard?user=" + encodeURIComponent(app.me);
  });
  for (const tab of document.querySelectorAll("#conversation-tabs .tab")) {
    tab.addEventListener("click", () => {
      app.tab = tab.dataset.tab;
      if (app.tab === "home") api("/api/home", {});
      render();
    });
  }
  document.getElementById("scheduler-toggle").addEventListener("click", () => {
    const panel = document.getElementById("scheduler");
    panel.hidden = !panel.hidden;
    if (!panel.hidden && !document.getElementById("job-list").childElementCount) loadJobs();
  });
  for (const button of document.querySelectorAll("[data-jump]")) {
    button.addEventListener("click", () => jumpClock(Number(button.dataset.jump)));
  }
  jumpClock(0);
  document.addEventListener("click", (e) => {
    // a click elsewhere closes open pickers and overflow menus
    for (const menu of document.querySelectorAll(".reaction-picker:not([hidden]), .overflow-menu:not([hidden])")) {
      if (!menu.parentElement.contains(e.target)) menu.hidden = true;
    }
  });
  pollForever();
}

// --- the API panel and webhook inbox --------------------------------------------------------------

async function loadApiPanel() {
  const panel = document.getElementById("api-panel");
  if (panel.hidden) return;
  const data = await (await fetch("/api/api-panel")).json();
  document.getElementById("api-create").textContent = data.create_token;
  document.getElementById("api-curl").textContent = data.curl;
  document.getElementById("api-docs").href = data.docs_url;
  document.getElementById("api-hook").textContent = data.add_webhook;
  const inbox = document.getElementById("webhook-inbox");
  inbox.replaceChildren(...data.received.map((hook) => {
    const item = document.createElement("li");
    const head = document.createElement("div");
    head.textContent = `${hook.event ? hook.event.type : "?"} ${hook.verified ? "✓ signature verified" : "✗ signature not verified"}`;
    const body = document.createElement("pre");
    body.textContent = `X-Dealbell-Timestamp: ${hook.timestamp}\nX-Dealbell-Signature: ${hook.signature}\n${JSON.stringify(hook.event, null, 2)}`;
    item.append(head, body);
    return item;
  }));
}

document.getElementById("api-toggle").addEventListener("click", () => {
  const panel = document.getElementById("api-panel");
  panel.hidden = !panel.hidden;
  loadApiPanel();
});
setInterval(loadApiPanel, 2000);

start();
