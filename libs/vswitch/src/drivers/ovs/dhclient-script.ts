/**
 * The script poolnet's dhclient runs (`-sf`) instead of Debian's /sbin/dhclient-script: it sets
 * the leased address (IPv4, or DHCPv6's IA_NA) and, for IPv4, the default route on the
 * interface with iproute2, and writes the lease's DNS servers (DHCPv4 option 6, DHCPv6 option
 * 23) to `dhclient[6]-<interface>.dns` beside itself, where the member host reads them for its
 * resolver file. It never writes a resolver itself: Debian's script rewrites /etc/resolv.conf
 * from the lease, which would fight the one the member host writes (static DNS servers from the
 * log win over the lease's), and, run in a network namespace, would write the machine's own
 * file. A DHCPv6 default route comes from the routers' advertisements (accept_ra, set by the
 * driver), as DHCPv6 carries none. Variables are dhclient's (dhclient-script(8)).
 */
export const DHCLIENT_SCRIPT = `#!/bin/sh
# Written by the poolnet member host: sets the lease's address and route, records its DNS.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
dir=$(dirname "$0")
prefix_of() { # dotted netmask -> prefix length
  bits=0
  for octet in $(echo "$1" | tr . ' '); do
    case $octet in
      255) bits=$((bits + 8)) ;; 254) bits=$((bits + 7)) ;; 252) bits=$((bits + 6)) ;;
      248) bits=$((bits + 5)) ;; 240) bits=$((bits + 4)) ;; 224) bits=$((bits + 3)) ;;
      192) bits=$((bits + 2)) ;; 128) bits=$((bits + 1)) ;;
    esac
  done
  echo $bits
}
drop_old() {
  [ -n "$old_ip_address" ] || return 0
  ip -4 addr del "$old_ip_address/$(prefix_of "$old_subnet_mask")" dev "$interface" 2>/dev/null
  return 0
}
drop_old6() {
  [ -n "$old_ip6_address" ] || return 0
  ip -6 addr del "$old_ip6_address/$old_ip6_prefixlen" dev "$interface" 2>/dev/null
  return 0
}
# The lease's DNS servers, written whole then renamed (a reader never sees half a list).
record_dns() { # file servers
  printf '%s\\n' $2 > "$dir/$1.tmp" && mv -f "$dir/$1.tmp" "$dir/$1"
}
case "$reason" in
  PREINIT)
    ip link set dev "$interface" up
    ;;
  PREINIT6)
    ip link set dev "$interface" up
    # dhclient -6 binds to the link-local address, which must have left duplicate address
    # detection first (a fresh internal port's is tentative for about a second).
    for i in $(seq 50); do
      [ -z "$(ip -6 addr show dev "$interface" scope link tentative)" ] && break
      sleep 0.1
    done
    ;;
  BOUND|RENEW|REBIND|REBOOT)
    if [ "$old_ip_address" != "$new_ip_address" ]; then drop_old; fi
    lease=\${new_dhcp_lease_time:-forever}
    ip -4 addr replace "$new_ip_address/$(prefix_of "$new_subnet_mask")" \\
      \${new_broadcast_address:+broadcast "$new_broadcast_address"} dev "$interface" \\
      valid_lft "$lease" preferred_lft "$lease"
    for router in $new_routers; do
      ip -4 route replace default via "$router" dev "$interface"
      break
    done
    record_dns "dhclient-$interface.dns" "$new_domain_name_servers"
    ;;
  BOUND6|RENEW6|REBIND6|REBOOT6)
    if [ "$old_ip6_address" != "$new_ip6_address" ]; then drop_old6; fi
    if [ -n "$new_ip6_address" ]; then
      ip -6 addr replace "$new_ip6_address/$new_ip6_prefixlen" dev "$interface" nodad \\
        valid_lft "\${new_max_life:-forever}" preferred_lft "\${new_preferred_life:-forever}"
    fi
    record_dns "dhclient6-$interface.dns" "$new_dhcp6_name_servers"
    ;;
  DEPREF6)
    [ -n "$cur_ip6_address" ] && ip -6 addr change "$cur_ip6_address/$cur_ip6_prefixlen" \\
      dev "$interface" preferred_lft 0
    ;;
  EXPIRE|FAIL|RELEASE|STOP)
    drop_old
    rm -f "$dir/dhclient-$interface.dns"
    ;;
  EXPIRE6|RELEASE6|STOP6)
    drop_old6
    rm -f "$dir/dhclient6-$interface.dns"
    ;;
  TIMEOUT)
    exit 1
    ;;
esac
exit 0
`;

/**
 * What dhclient asks the server for, in both families: the DNS servers too, which the member
 * host uses for the management interface's resolver when the log gives it none.
 */
export const DHCLIENT_CONF =
  'request subnet-mask, broadcast-address, routers, domain-name-servers, dhcp6.name-servers;\n';
