// Package web is Chancery's HTTP face: one echo server for the JSON API under
// /api/v1, the health and metrics endpoints, and (with the apps) the
// server-rendered pages.
//
// Handlers stay thin — decode, call the chain or an app's keeper, render —
// and every error, whatever its source, is turned into a response in one
// place (errors.go): a coded error's kind decides the status, and API clients
// always get {"error":{"code","message"}}.
package web
