set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m1_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2: decode, tpot_ms'
$d0 << EOD
-0.09 0.416746155 0.416076186 0.417416123
0.91 0.442803535 0.441048174 0.444558897
1.91 0.683271613 0.68095094 0.685592285
EOD
$d1 << EOD
-0.03 0.772112032 0.771212199 0.773011865
0.97 0.795223703 0.794107945 0.796339461
1.97 0.929526723 0.928197387 0.930856058
EOD
$d2 << EOD
0.03 2.76466295 2.67351707 2.85580884
1.03 2.69859215 2.66768838 2.72949593
2.03 2.9490263 2.79821559 3.09983702
EOD
$d3 << EOD
0.09 5.14700068 4.85769915 5.4363022
1.09 5.40049145 5.25086872 5.55011418
2.09 5.09441112 4.89883236 5.28998987
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda fp32 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d3 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
