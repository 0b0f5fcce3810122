// Starts `kbc lsp` for .kb files. The server does the work; this file only
// launches it (the binary from the `kbc.path` setting, default `kbc`).
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("kbc").get("path", "kbc");
  const serverOptions = { command, args: ["lsp"] };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "kb" }],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.kb,kb.yaml}"),
    },
  };
  client = new LanguageClient("kbc", "kbc language server", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
