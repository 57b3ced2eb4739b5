#include "pci_address.h"

#include <gtest/gtest.h>

using ggufd::gpu::parse_pci_address;
using ggufd::gpu::pci_address_from_kfd;

TEST(PciAddress, DecodesKfdLocationIdAndDomain) {
    EXPECT_EQ(pci_address_from_kfd(0, 0x0300).to_string(), "0000:03:00.0");
    EXPECT_EQ(pci_address_from_kfd(0, 0x7c00).to_string(), "0000:7c:00.0");
    EXPECT_EQ(pci_address_from_kfd(1, (0xc3 << 8) | (2 << 3) | 1).to_string(), "0001:c3:02.1");
}

TEST(PciAddress, ReadsEveryWayTheSourcesSpellIt) {
    EXPECT_EQ(parse_pci_address("00000000:00:06.0")->to_string(), "0000:00:06.0");  // nvidia-smi
    EXPECT_EQ(parse_pci_address("0000000F:01:00.0")->to_string(), "000f:01:00.0");  // GB10
    EXPECT_EQ(parse_pci_address("0000:c3:00.0")->to_string(), "0000:c3:00.0");
    EXPECT_EQ(parse_pci_address("03:00.0")->to_string(), "0000:03:00.0");
    EXPECT_EQ(parse_pci_address("00012345:03:00.0")->to_string(), "12345:03:00.0");
}

TEST(PciAddress, RejectsWhatIsNotAnAddress) {
    for (const char* bad : {"", "[N/A]", "0000:03:00", "0000:03.00:0", "0000:103:00.0", "0000:03:20.0",
                            "0000:03:00.8", "zz:00.0"}) {
        EXPECT_FALSE(parse_pci_address(bad)) << bad;
    }
}

TEST(PciAddress, OrdersByDomainThenBusThenDeviceThenFunction) {
    EXPECT_LT(*parse_pci_address("0000:03:00.0"), *parse_pci_address("0000:7c:00.0"));
    EXPECT_LT(*parse_pci_address("0000:ff:00.0"), *parse_pci_address("0001:00:00.0"));
    EXPECT_LT(*parse_pci_address("0000:03:00.0"), *parse_pci_address("0000:03:00.1"));
}
