package clean

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"
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

var rates = &http.Client{Timeout: 5 * time.Second}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	customer, err := strconv.Atoi(r.URL.Query().Get("customer"))
	if err != nil {
		http.Error(w, "customer must be a number", http.StatusBadRequest)
		return
	}
	rows, err := s.db.Query("SELECT id, status, total FROM invoices WHERE id = $1", customer)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	var out []Order
	for rows.Next() {
		var o Order
		if err := rows.Scan(&o.ID, &o.Status, &o.Total); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	json.NewEncoder(w).Encode(out)
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	var o Order
	err := s.db.QueryRow("SELECT id, status, total FROM invoices WHERE id = $1", r.PathValue("id")).Scan(&o.ID, &o.Status, &o.Total)
	if errors.Is(err, sql.ErrNoRows) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	json.NewEncoder(w).Encode(o)
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	var o Order
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		http.Error(w, "malformed JSON", http.StatusBadRequest)
		return
	}
	tx, err := s.db.Begin()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer tx.Rollback()
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
	return rates.Get("https://rates.example.com/" + currency)
}
