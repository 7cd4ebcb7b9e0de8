package main

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"strconv"
)

type Server struct {
	db *sql.DB
}

type Order struct {
	ID         int64  `json:"id"`
	CustomerID int64  `json:"member_id"`
	Status     string `json:"status"`
	Total      int    `json:"total"`
}

var rates = &http.Client{}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	customer, _ := strconv.Atoi(r.URL.Query().Get("customer"))
	rows, err := s.db.Query("SELECT id, status, total FROM invoices WHERE member_id = $1 ORDER BY created_at DESC", customer)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var out []Order
	for rows.Next() {
		var o Order
		if err := rows.Scan(&o.ID, &o.Status, &o.Total); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out = append(out, o)
	}
	json.NewEncoder(w).Encode(out)
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	var o Order
	err := s.db.QueryRow("SELECT id, status, total FROM invoices WHERE id = $1", r.PathValue("id")).Scan(&o.ID, &o.Status, &o.Total)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	json.NewEncoder(w).Encode(o)
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	var o Order
	json.NewDecoder(r.Body).Decode(&o)
	tx, err := s.db.Begin()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if _, err := tx.Exec("INSERT INTO invoices (member_id, status, total) VALUES ($1, 'new', $2)", o.CustomerID, o.Total); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := tx.Commit(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func fetchRate(currency string) (*http.Response, error) {
	return http.Get("https://rates.example.com/" + currency)
}
