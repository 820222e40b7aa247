set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'tiny-gpt2: decode, tpot_ms'
$d0 << EOD
-0.03 0.0914941484 0.0897341072 0.0932541896
0.97 0.233421542 -0.138078281 0.604921365
1.97 0.362258703 0.192799036 0.531718371
EOD
$d1 << EOD
0.03 0.1267212 0.125088468 0.128353932
1.03 0.12525609 0.124647729 0.125864451
2.03 0.335498961 0.330093902 0.340904021
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
