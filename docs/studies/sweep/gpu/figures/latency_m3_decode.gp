set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m3_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'synthetic-52m: decode, tpot_ms'
$d0 << EOD
-0.06 1.01911063 0.933399252 1.10482201
0.94 1.16729257 1.09258048 1.24200467
1.94 2.20363257 2.06201542 2.34524973
EOD
$d1 << EOD
0 0.229020439 0.228493321 0.229547556
1 0.246622419 0.245937427 0.247307411
2 0.45098369 0.450690517 0.451276863
EOD
$d2 << EOD
0.06 0.22971231 0.229410196 0.230014423
1.06 0.246574787 0.244629576 0.248519998
2.06 0.450575477 0.449287355 0.4518636
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
