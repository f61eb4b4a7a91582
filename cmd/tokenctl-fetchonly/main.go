// Command tokenctl-fetchonly is the bench's fetch-only baseline: the least
// a client can do to read what `tokenctl check` and `tokenctl tokens list`
// read. It sends the same GraphQL documents as tokenctl, page after page,
// to the endpoint in BUILDKITE_GRAPHQL_ENDPOINT with the token in
// BUILDKITE_API_TOKEN, decodes each page once into plain structs, keeps
// every token and member, and prints how many it read. With -members it
// pages the members alongside the tokens, as a check does.
//
// Its whole-process time and memory are what tokenctl's jobs are measured
// against: what tokenctl spends beyond them is its own.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/tokenctl/tokenctl/internal/buildkite/gql"
)

func main() {
	org := flag.String("org", "", "organization `slug`")
	members := flag.Bool("members", false, "also page the members")
	pageSize := flag.Int("page-size", 500, "items per page")
	flag.Parse()
	endpoint, token := os.Getenv("BUILDKITE_GRAPHQL_ENDPOINT"), os.Getenv("BUILDKITE_API_TOKEN")
	if *org == "" || endpoint == "" || token == "" {
		fmt.Fprintln(os.Stderr, "tokenctl-fetchonly: -org, BUILDKITE_GRAPHQL_ENDPOINT and BUILDKITE_API_TOKEN are required")
		os.Exit(2)
	}
	c := &client{endpoint: endpoint, token: token, http: &http.Client{Timeout: time.Minute}}
	var (
		wg             sync.WaitGroup
		tokens         []tokenNode
		people         []memberNode
		tokErr, pplErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tokens, tokErr = pageAll[tokenNode](c, gql.OrganizationTokensBySlug_Operation, "OrganizationTokensBySlug", *org, *pageSize, "apiAccessTokens")
	}()
	if *members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			people, pplErr = pageAll[memberNode](c, gql.OrganizationMembersBySlug_Operation, "OrganizationMembersBySlug", *org, *pageSize, "members")
		}()
	}
	wg.Wait()
	if err := errors.Join(tokErr, pplErr); err != nil {
		fmt.Fprintln(os.Stderr, "tokenctl-fetchonly:", err)
		os.Exit(1)
	}
	fmt.Printf("%d tokens, %d members\n", len(tokens), len(people))
}

type client struct {
	endpoint, token string
	http            *http.Client
}

type tokenNode struct {
	ID             string     `json:"id"`
	UUID           string     `json:"uuid"`
	Description    *string    `json:"description"`
	Scopes         []string   `json:"scopes"`
	CreatedAt      time.Time  `json:"createdAt"`
	ExpiresAt      *time.Time `json:"expiresAt"`
	LastAccessedAt *time.Time `json:"lastAccessedAt"`
	IPAddress      *string    `json:"ipAddress"`
	Owner          *user      `json:"owner"`
}

type memberNode struct {
	Role       string     `json:"role"`
	LastSeenAt *time.Time `json:"lastSeenAt"`
	Security   struct {
		TwoFactorEnabled bool `json:"twoFactorEnabled"`
	} `json:"security"`
	SSO struct {
		Mode *string `json:"mode"`
	} `json:"sso"`
	User user `json:"user"`
}

type user struct {
	ID    string `json:"id"`
	UUID  string `json:"uuid"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Bot   bool   `json:"bot"`
}

type connection[T any] struct {
	PageInfo struct {
		HasNextPage bool    `json:"hasNextPage"`
		EndCursor   *string `json:"endCursor"`
	} `json:"pageInfo"`
	Edges []struct {
		Node T `json:"node"`
	} `json:"edges"`
}

// pageAll reads every page of the organization's connection named field.
func pageAll[T any](c *client, query, opName, slug string, first int, field string) ([]T, error) {
	var all []T
	var after *string
	for {
		vars := map[string]any{"slug": slug, "first": first, "after": after}
		var answer struct {
			Data struct {
				Organization struct {
					Tokens  *connection[T] `json:"apiAccessTokens"`
					Members *connection[T] `json:"members"`
				} `json:"organization"`
			} `json:"data"`
			Errors []struct {
				Message string `json:"message"`
			} `json:"errors"`
		}
		body, err := c.post(query, opName, vars)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(body, &answer); err != nil {
			return nil, err
		}
		if len(answer.Errors) > 0 {
			return nil, errors.New(answer.Errors[0].Message)
		}
		conn := answer.Data.Organization.Tokens
		if field == "members" {
			conn = answer.Data.Organization.Members
		}
		if conn == nil {
			return nil, fmt.Errorf("the answer has no %s", field)
		}
		for _, e := range conn.Edges {
			all = append(all, e.Node)
		}
		if !conn.PageInfo.HasNextPage || conn.PageInfo.EndCursor == nil {
			return all, nil
		}
		after = conn.PageInfo.EndCursor
	}
}

func (c *client) post(query, opName string, vars map[string]any) ([]byte, error) {
	raw, err := json.Marshal(map[string]any{"query": query, "operationName": opName, "variables": vars})
	if err != nil {
		return nil, err
	}
	// A one-shot measurement program: nothing cancels it but the process
	// ending.
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, c.endpoint, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
	}
	return body, nil
}
