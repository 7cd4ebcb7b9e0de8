-- Drives Neovim's own LSP client against subagent-lsp: diagnostics, hover, definition, code action.
-- Arguments come from the environment; results go to AGENT_LSP_RESULT as JSON.
local root = os.getenv("AGENT_LSP_ROOT")
local python = os.getenv("AGENT_LSP_PYTHON")
local out = os.getenv("AGENT_LSP_RESULT")
local result = { errors = {} }

local function finish()
  vim.fn.writefile({ vim.json.encode(result) }, out)
  vim.cmd("qa!")
end

local ok, err = pcall(function()
  local broken = root .. "/.claude/agents/broken.md"
  vim.cmd("edit " .. broken)
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start({
    name = "subagent-lsp",
    cmd = { python, "-m", "subagent_lsp", "serve" },
    root_dir = root,
  }, { bufnr = buf })
  result.client_id = client_id
  vim.wait(20000, function()
    return #vim.diagnostic.get(buf) > 0
  end, 100)
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, end_col = d.end_col, code = d.code, severity = d.severity })
  end
  local client = vim.lsp.get_client_by_id(client_id)
  result.encoding = client and client.offset_encoding or "?"

  -- hover on `model`
  local hover = vim.lsp.buf_request_sync(buf, "textDocument/hover", {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = 3, character = 2 },
  }, 10000)
  for _, r in pairs(hover or {}) do
    if r.result and r.result.contents then
      result.hover = r.result.contents.value or r.result.contents
    end
  end

  -- code actions on the YAML error line
  local actions = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = 2, character = 0 }, ["end"] = { line = 2, character = 10 } },
    context = { diagnostics = {} },
  }, 10000)
  result.actions = {}
  for _, r in pairs(actions or {}) do
    for _, a in ipairs(r.result or {}) do
      table.insert(result.actions, a.title)
    end
  end

  -- definition: from lead.md's Agent(code-reviewer) to the reviewer's name
  vim.cmd("edit " .. root .. "/.claude/agents/lead.md")
  local lead = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(lead, client_id)
  vim.wait(300)
  local line = vim.api.nvim_buf_get_lines(lead, 3, 4, false)[1]
  local col = string.find(line, "code%-reviewer") + 1
  local def = vim.lsp.buf_request_sync(lead, "textDocument/definition", {
    textDocument = { uri = vim.uri_from_bufnr(lead) },
    position = { line = 3, character = col },
  }, 10000)
  for _, r in pairs(def or {}) do
    local loc = r.result and (r.result[1] or r.result)
    if loc and loc.uri then
      result.definition = { uri = loc.uri, line = loc.range.start.line, character = loc.range.start.character }
    end
  end
end)
if not ok then
  table.insert(result.errors, tostring(err))
end
finish()
