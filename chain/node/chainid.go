package node

// ChainID reads the chain id from the home's genesis file.
func ChainID(home string) (string, error) {
	g, err := loadGenesis(home)
	if err != nil {
		return "", err
	}
	return g.ChainID, nil
}
