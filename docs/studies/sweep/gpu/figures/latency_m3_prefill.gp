set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m3_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'synthetic-52m: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 10.0168566 9.85830607 10.1754071
0.94 39.5008824 34.8959384 44.1058264
1.94 77.1675434 75.1606131 79.1744737
EOD
$d1 << EOD
0 0.3803844 0.372868352 0.387900448
1 0.5191342 0.496094806 0.542173594
2 0.4978014 0.489970795 0.505632005
EOD
$d2 << EOD
0.06 0.4667074 0.440767979 0.492646821
1.06 0.5198572 0.499918852 0.539795548
2.06 0.5093662 0.494522448 0.524209952
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
