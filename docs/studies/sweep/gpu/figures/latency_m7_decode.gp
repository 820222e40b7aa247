set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m7_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2-xl: decode, tpot_ms'
$d0 << EOD
-0.06 48.767851 42.763415 54.772287
0.94 52.9499744 51.5302952 54.3696536
1.94 63.4232929 61.4086293 65.4379565
EOD
$d1 << EOD
0 3.37985875 3.36360571 3.3961118
1 3.49540498 3.4850627 3.50574726
2 5.75681886 5.75137637 5.76226134
EOD
$d2 << EOD
0.06 3.2404943 3.2330265 3.2479621
1.06 3.35278678 3.34851459 3.35705897
2.06 5.53258707 5.52688005 5.53829409
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
