// Command etcd is the etcd server built from go.etcd.io/etcd/server/v3, in a module of its own so its
// dependency versions never merge with Kubernetes'.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
