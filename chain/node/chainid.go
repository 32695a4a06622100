package node

import "time"

// ChainID reads the chain id from the home's genesis file.
func ChainID(home string) (string, error) {
	g, err := loadGenesis(home)
	if err != nil {
		return "", err
	}
	return g.ChainID, nil
}

// GenesisTime reads the time the chain starts from the home's genesis file.
func GenesisTime(home string) (time.Time, error) {
	g, err := loadGenesis(home)
	if err != nil {
		return time.Time{}, err
	}
	return g.GenesisTime, nil
}
