package container

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/moby/moby/api/types/network"
)

func TestBridgeGateway(t *testing.T) {
	subnet := netip.MustParsePrefix("172.17.0.0/16")
	addrs := func(want string, as ...string) func(string) ([]net.Addr, error) {
		return func(name string) ([]net.Addr, error) {
			if name != want {
				return nil, errors.New("no such network interface")
			}
			var out []net.Addr
			for _, a := range as {
				ip, ipn, _ := net.ParseCIDR(a)
				ipn.IP = ip
				out = append(out, ipn)
			}
			return out, nil
		}
	}
	for _, c := range []struct {
		name    string
		nw      network.Network
		addrs   func(string) ([]net.Addr, error)
		want    string
		wantErr bool
	}{
		{"IPAM gateway",
			network.Network{IPAM: network.IPAM{Config: []network.IPAMConfig{{Subnet: subnet, Gateway: netip.MustParseAddr("172.17.0.1")}}}},
			addrs("none"), "172.17.0.1", false},
		{"no gateway: docker0's address in the subnet (Debian's Docker 20.10)",
			network.Network{IPAM: network.IPAM{Config: []network.IPAMConfig{{Subnet: subnet}}}},
			addrs("docker0", "fe80::42:a4ff:fe23:5a5/64", "10.0.0.5/8", "172.17.0.1/16"), "172.17.0.1", false},
		{"the bridge's own interface name",
			network.Network{IPAM: network.IPAM{Config: []network.IPAMConfig{{Subnet: subnet}}},
				Options: map[string]string{"com.docker.network.bridge.name": "br-lh"}},
			addrs("br-lh", "172.17.0.1/16"), "172.17.0.1", false},
		{"no interface (a remote engine)",
			network.Network{IPAM: network.IPAM{Config: []network.IPAMConfig{{Subnet: subnet}}}},
			addrs("none"), "", true},
		{"no address in the subnet",
			network.Network{IPAM: network.IPAM{Config: []network.IPAMConfig{{Subnet: subnet}}}},
			addrs("docker0", "10.0.0.5/8"), "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, how, err := bridgeGateway(c.nw, c.addrs)
			if (err != nil) != c.wantErr || (err == nil && got.String() != c.want) {
				t.Errorf("bridgeGateway = %v (%s), %v; want %q, error %v", got, how, err, c.want, c.wantErr)
			}
		})
	}
}
